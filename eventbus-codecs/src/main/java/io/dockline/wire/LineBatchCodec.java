package io.dockline.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Binary wire form of a {@link LineBatch}: the container tags once, then the columns.
 * Local delivery passes the object itself (batches are never mutated after they are built).
 */
public final class LineBatchCodec implements MessageCodec<LineBatch, LineBatch> {
  public static final String NAME = "dockline.line-batch";
  private static final byte VERSION = 1;

  @Override
  public void encodeToWire(Buffer buf, LineBatch b) {
    int start = buf.length();
    buf.appendInt(0); // total length, patched below
    buf.appendByte(VERSION);
    ContainerMeta m = b.container();
    putString(buf, m.id());
    putString(buf, m.name());
    putString(buf, m.image());
    putString(buf, m.host());
    buf.appendInt(m.labels().size());
    for (Map.Entry<String, String> e : m.labels().entrySet()) {
      putString(buf, e.getKey());
      putString(buf, e.getValue());
    }
    int n = b.count();
    buf.appendLong(b.firstSeq());
    buf.appendInt(n);
    for (int i = 0; i < n; i++) {
      buf.appendLong(b.timeNanos(i));
      buf.appendByte(b.streamCode(i));
      buf.appendByte(b.flags(i));
      buf.appendInt(b.lineLength(i));
    }
    buf.appendBytes(b.data(), 0, b.dataLength());
    buf.setInt(start, buf.length() - start);
  }

  @Override
  public LineBatch decodeFromWire(int pos, Buffer buf) {
    int p = pos + 4;
    byte version = buf.getByte(p++);
    if (version != VERSION) throw new IllegalStateException("unsupported line-batch version " + version);
    int[] cursor = {p};
    String id = getString(buf, cursor);
    String name = getString(buf, cursor);
    String image = getString(buf, cursor);
    String host = getString(buf, cursor);
    int labelCount = buf.getInt(cursor[0]);
    cursor[0] += 4;
    Map<String, String> labels = new HashMap<>();
    for (int i = 0; i < labelCount; i++) {
      String k = getString(buf, cursor);
      labels.put(k, getString(buf, cursor));
    }
    p = cursor[0];
    long firstSeq = buf.getLong(p);
    int n = buf.getInt(p + 8);
    p += 12;
    long[] times = new long[n];
    byte[] streams = new byte[n];
    byte[] flags = new byte[n];
    int[] offsets = new int[n + 1];
    for (int i = 0; i < n; i++) {
      times[i] = buf.getLong(p);
      streams[i] = buf.getByte(p + 8);
      flags[i] = buf.getByte(p + 9);
      offsets[i + 1] = offsets[i] + buf.getInt(p + 10);
      p += 14;
    }
    byte[] data = buf.getBytes(p, p + offsets[n]);
    return new LineBatch(new ContainerMeta(id, name, image, host, labels), firstSeq, n, times, streams, flags,
        offsets, data);
  }

  @Override
  public LineBatch transform(LineBatch b) {
    return b;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  static void putString(Buffer buf, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buf.appendInt(bytes.length);
    buf.appendBytes(bytes);
  }

  static String getString(Buffer buf, int[] cursor) {
    int len = buf.getInt(cursor[0]);
    String s = buf.getString(cursor[0] + 4, cursor[0] + 4 + len, "UTF-8");
    cursor[0] += 4 + len;
    return s;
  }
}
