package io.dockline.wire;


/**
 * Where a line sits in a fleet search's order: by time, then container id, then seq. Two lines never have
 * equal keys (a container's seqs are unique), so a page that ends at a key continues exactly after it, however
 * many lines share a time. Replicas of one line have equal keys: the merge keeps one.
 *
 * <p>A cursor is a key as text ({@link #toCursor()}); a cursor that marks a time boundary rather than a line
 * ({@link #before}, {@link #after}) has an empty container id or one above every real id.
 */
public record SearchKey(long timeNanos, String containerId, long seq) implements Comparable<SearchKey> {
  /** Above every container id (ids are lowercase hex or names of letters, digits and {@code _.-}). */
  private static final String ABOVE_EVERY_ID = "~";

  public SearchKey {
    if (containerId == null || containerId.indexOf('/') >= 0) throw new IllegalArgumentException("bad container id");
  }

  /** Below every line stamped at {@code timeNanos} and above every line stamped earlier. */
  public static SearchKey before(long timeNanos) {
    return new SearchKey(timeNanos, "", Long.MIN_VALUE);
  }

  /** Above every line stamped at {@code timeNanos} and below every line stamped later. */
  public static SearchKey after(long timeNanos) {
    return new SearchKey(timeNanos, ABOVE_EVERY_ID, Long.MAX_VALUE);
  }

  @Override
  public int compareTo(SearchKey o) {
    // by hand: searches compare keys for every line they keep, and comparator chains cost several calls each
    int c = Long.compare(timeNanos, o.timeNanos);
    if (c != 0) return c;
    c = containerId.compareTo(o.containerId);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }

  /** {@code time/container/seq}: opaque to users, passed back as {@code cursor=}. */
  public String toCursor() {
    return timeNanos + "/" + containerId + "/" + seq;
  }

  /** @throws IllegalArgumentException when {@code cursor} is not one {@link #toCursor()} made */
  public static SearchKey parse(String cursor) {
    String[] p = cursor == null ? new String[0] : cursor.split("/", -1);
    if (p.length != 3 || p[1].length() > 256) throw new IllegalArgumentException("malformed cursor");
    try {
      return new SearchKey(Long.parseLong(p[0]), p[1], Long.parseLong(p[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed cursor");
    }
  }
}
