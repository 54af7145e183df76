package io.dockline.wire;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Binary wire form of a {@link LineBatch}: the container tags once, then the columns.
 * Local delivery passes the object itself (batches are never mutated after they are built).
 */
public final class LineBatchCodec extends ImmutableCodec<LineBatch> {
  public static final String NAME = "dockline.line-batch";
  private static final byte VERSION = 1;
  /** Per line: time (8), stream (1), flags (1), length (4). */
  private static final int LINE_HEADER_BYTES = 14;

  public LineBatchCodec() {
    super(NAME);
  }

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

  /**
   * Every count and length read off the wire is checked against what is left of the frame before anything is
   * allocated from it, so a damaged or hostile frame fails with a clear message instead of asking for gigabytes.
   * @throws IllegalArgumentException naming what does not fit
   */
  @Override
  public LineBatch decodeFromWire(int pos, Buffer buf) {
    if (pos < 0 || buf.length() - pos < 5) throw malformed("frame shorter than its header");
    int frameLength = buf.getInt(pos);
    if (frameLength < 5 || frameLength > buf.length() - pos) {
      throw malformed("frame length " + frameLength + " outside the " + (buf.length() - pos) + " bytes received");
    }
    int end = pos + frameLength;
    int p = pos + 4;
    byte version = buf.getByte(p++);
    if (version != VERSION) throw new IllegalStateException("unsupported line-batch version " + version);
    int[] cursor = {p};
    String id = getString(buf, cursor, end);
    String name = getString(buf, cursor, end);
    String image = getString(buf, cursor, end);
    String host = getString(buf, cursor, end);
    // each label takes at least its two length fields
    int labelCount = getCount(buf, cursor, end, 8, "label count");
    Map<String, String> labels = new HashMap<>();
    for (int i = 0; i < labelCount; i++) {
      String k = getString(buf, cursor, end);
      labels.put(k, getString(buf, cursor, end));
    }
    if (end - cursor[0] < 8) throw malformed("frame ends before the first seq");
    long firstSeq = buf.getLong(cursor[0]);
    cursor[0] += 8;
    int n = getCount(buf, cursor, end, LINE_HEADER_BYTES, "line count");
    p = cursor[0];
    long[] times = new long[n];
    byte[] streams = new byte[n];
    byte[] flags = new byte[n];
    int[] offsets = new int[n + 1];
    int room = end - (p + n * LINE_HEADER_BYTES);
    for (int i = 0; i < n; i++) {
      times[i] = buf.getLong(p);
      streams[i] = buf.getByte(p + 8);
      flags[i] = buf.getByte(p + 9);
      int length = buf.getInt(p + 10);
      if (length < 0 || length > room - offsets[i]) {
        throw malformed("line " + i + " of " + length + " bytes does not fit the " + (room - offsets[i]) + " bytes left");
      }
      offsets[i + 1] = offsets[i] + length;
      p += LINE_HEADER_BYTES;
    }
    byte[] data = buf.getBytes(p, p + offsets[n]);
    return new LineBatch(new ContainerMeta(id, name, image, host, labels), firstSeq, n, times, streams, flags,
        offsets, data);
  }

  static void putString(Buffer buf, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buf.appendInt(bytes.length);
    buf.appendBytes(bytes);
  }

  static String getString(Buffer buf, int[] cursor) {
    return getString(buf, cursor, buf.length());
  }

  /** A length-prefixed string that must end by {@code end}. */
  static String getString(Buffer buf, int[] cursor, int end) {
    int len = getCount(buf, cursor, end, 1, "string length");
    String s = buf.getString(cursor[0], cursor[0] + len, "UTF-8");
    cursor[0] += len;
    return s;
  }

  /** A count of items of at least {@code minItemBytes} each, which must all fit before {@code end}. */
  private static int getCount(Buffer buf, int[] cursor, int end, int minItemBytes, String what) {
    if (end - cursor[0] < 4) throw malformed("frame ends before the " + what);
    int n = buf.getInt(cursor[0]);
    cursor[0] += 4;
    if (n < 0 || (long) n * minItemBytes > end - cursor[0]) {
      throw malformed(what + " " + n + " does not fit the " + (end - cursor[0]) + " bytes left");
    }
    return n;
  }

  private static IllegalArgumentException malformed(String why) {
    return new IllegalArgumentException("malformed line-batch frame: " + why);
  }
}
