package io.dockline.wire;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary wire form of {@link SearchPage}: a version byte, whether {@code complete} follows (then its time, seq
 * and UTF-8 container id), the number of containers, then each as {@link LineMatchesCodec} writes it, prefixed
 * by its length. Local delivery passes the object itself.
 */
public final class SearchPageCodec extends ImmutableCodec<SearchPage> {
  public static final String NAME = "dockline.search-page";
  private static final byte VERSION = 1;
  /** More containers than any answer holds: a frame claiming more is malformed. */
  private static final int MAX_CONTAINERS = 1 << 20;
  private final LineMatchesCodec matches = new LineMatchesCodec();

  public SearchPageCodec() {
    super(NAME);
  }

  @Override
  public void encodeToWire(Buffer buf, SearchPage page) {
    buf.appendByte(VERSION);
    SearchKey c = page.complete();
    buf.appendByte((byte) (c == null ? 0 : 1));
    if (c != null) {
      byte[] id = c.containerId().getBytes(StandardCharsets.UTF_8);
      buf.appendLong(c.timeNanos()).appendLong(c.seq()).appendShort((short) id.length).appendBytes(id);
    }
    buf.appendInt(page.containers().size());
    for (LineMatches m : page.containers()) {
      int at = buf.length();
      buf.appendInt(0);
      matches.encodeToWire(buf, m);
      buf.setInt(at, buf.length() - at - 4);
    }
  }

  /** @throws IllegalArgumentException when the frame is malformed */
  @Override
  public SearchPage decodeFromWire(int pos, Buffer buf) {
    try {
      byte version = buf.getByte(pos);
      if (version != VERSION) throw new IllegalStateException("unsupported search-page version " + version);
      int p = pos + 1;
      SearchKey complete = null;
      if (buf.getByte(p++) == 1) {
        long time = buf.getLong(p);
        long seq = buf.getLong(p + 8);
        int idLength = buf.getUnsignedShort(p + 16);
        String id = buf.getString(p + 18, p + 18 + idLength, "UTF-8");
        complete = new SearchKey(time, id, seq);
        p += 18 + idLength;
      }
      int n = buf.getInt(p);
      p += 4;
      if (n < 0 || n > MAX_CONTAINERS) throw new IllegalArgumentException("malformed search-page frame: " + n + " containers");
      List<LineMatches> containers = new ArrayList<>(Math.min(n, 1024));
      for (int i = 0; i < n; i++) {
        int length = buf.getInt(p);
        if (length < 0 || length > buf.length() - p - 4) throw new IllegalArgumentException("malformed search-page frame");
        containers.add(matches.decodeFromWire(p + 4, buf));
        p += 4 + length;
      }
      return new SearchPage(containers, complete);
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("malformed search-page frame: too short");
    }
  }
}
