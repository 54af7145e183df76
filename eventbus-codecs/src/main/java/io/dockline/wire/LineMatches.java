package io.dockline.wire;

/**
 * A collector's answer to a filtered read ({@link CollectorQuery#logs(String, long, int, String, int)}): the
 * matching lines of one container, in seq order but not consecutive, and the seqs the scan covered. Every
 * line the collector holds in {@code scannedFrom .. scannedThrough} was looked at, and those that match are
 * here; the scan starts at the first held line after the read's {@code after} and is contiguous (it stops
 * before a hole). Nothing was scanned when {@code scannedThrough < scannedFrom}.
 *
 * <p>The columns are those of {@link #lines()}; its own seqs are meaningless: line {@code i}'s seq is
 * {@link #seq(int)}.
 */
public final class LineMatches {
  private final LineBatch lines;
  private final long[] seqs;
  private final long scannedFrom;
  private final long scannedThrough;

  public LineMatches(LineBatch lines, long[] seqs, long scannedFrom, long scannedThrough) {
    if (seqs.length < lines.count()) throw new IllegalArgumentException(seqs.length + " seqs for " + lines.count() + " lines");
    this.lines = lines;
    this.seqs = seqs;
    this.scannedFrom = scannedFrom;
    this.scannedThrough = scannedThrough;
  }

  public LineBatch lines() { return lines; }
  public int count() { return lines.count(); }
  public long seq(int i) { return seqs[i]; }
  public long scannedFrom() { return scannedFrom; }
  public long scannedThrough() { return scannedThrough; }
  /** Whether the scan looked at any line. */
  public boolean scannedAny() { return scannedThrough >= scannedFrom; }

  @Override
  public String toString() {
    return "LineMatches{" + lines.container().id() + " " + count() + " lines, scanned " + scannedFrom + ".."
        + scannedThrough + "}";
  }
}
