package io.dockline.config;

/**
 * The CPU priority of a node's background work (setting {@code background-priority}): {@code idle} (Linux
 * SCHED_IDLE: it runs on CPU time nothing else wants), a nice value 1 to 19, or {@code normal}.
 */
public final class BackgroundPriority {
  public static final BackgroundPriority NORMAL = new BackgroundPriority(0, false);
  public static final BackgroundPriority IDLE = new BackgroundPriority(0, true);

  private static final String EXPECTED = "expected idle, normal or a nice value 0 to 19";

  private final int nice;
  private final boolean idle;

  private BackgroundPriority(int nice, boolean idle) {
    this.nice = nice;
    this.idle = idle;
  }

  /** Parses {@code idle}, {@code normal} or a nice value 0 to 19 (0 is normal). */
  public static BackgroundPriority parse(String value) {
    String v = value.trim();
    if (v.equals("idle")) return IDLE;
    if (v.equals("normal")) return NORMAL;
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(EXPECTED);
    }
    if (n < 0 || n > 19) throw new IllegalArgumentException(EXPECTED);
    return n == 0 ? NORMAL : new BackgroundPriority(n, false);
  }

  /**
   * Lower still, for work nobody waits on as they wait on ingest (searches across containers): nice 19, or idle
   * when this is idle; normal stays normal (the operator asked for no lowering).
   */
  public BackgroundPriority lowest() {
    return idle || isNormal() ? this : new BackgroundPriority(19, false);
  }

  public boolean isIdle() { return idle; }
  public boolean isNormal() { return !idle && nice == 0; }
  public int nice() { return nice; }

  @Override
  public String toString() {
    return idle ? "idle" : isNormal() ? "normal" : Integer.toString(nice);
  }
}
