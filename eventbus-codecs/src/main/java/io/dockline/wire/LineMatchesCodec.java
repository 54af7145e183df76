package io.dockline.wire;

import io.vertx.core.buffer.Buffer;

/**
 * Binary wire form of {@link LineMatches}: a version byte, the scanned range, the seqs, then the lines as
 * {@link LineBatchCodec} writes them. Local delivery passes the object itself.
 */
public final class LineMatchesCodec extends ImmutableCodec<LineMatches> {
  public static final String NAME = "dockline.line-matches";
  private static final byte VERSION = 1;
  private final LineBatchCodec batches = new LineBatchCodec();

  public LineMatchesCodec() {
    super(NAME);
  }

  @Override
  public void encodeToWire(Buffer buf, LineMatches m) {
    buf.appendByte(VERSION);
    buf.appendLong(m.scannedFrom());
    buf.appendLong(m.scannedThrough());
    buf.appendInt(m.count());
    for (int i = 0; i < m.count(); i++) buf.appendLong(m.seq(i));
    batches.encodeToWire(buf, m.lines());
  }

  /** @throws IllegalArgumentException when the frame is malformed (counts are checked before allocating) */
  @Override
  public LineMatches decodeFromWire(int pos, Buffer buf) {
    if (pos < 0 || buf.length() - pos < 21) throw new IllegalArgumentException("malformed line-matches frame: too short");
    byte version = buf.getByte(pos);
    if (version != VERSION) throw new IllegalStateException("unsupported line-matches version " + version);
    long from = buf.getLong(pos + 1);
    long through = buf.getLong(pos + 9);
    int n = buf.getInt(pos + 17);
    int p = pos + 21;
    if (n < 0 || (long) n * 8 > buf.length() - p) {
      throw new IllegalArgumentException("malformed line-matches frame: " + n + " seqs do not fit");
    }
    long[] seqs = new long[n];
    for (int i = 0; i < n; i++, p += 8) seqs[i] = buf.getLong(p);
    LineBatch lines = batches.decodeFromWire(p, buf);
    if (lines.count() != n) throw new IllegalArgumentException("malformed line-matches frame: " + n + " seqs, "
        + lines.count() + " lines");
    return new LineMatches(lines, seqs, from, through);
  }
}
