package io.dockline.attach.impl;

import java.util.logging.Level;

/**
 * Failures in a row of one container's exchanges with the collectors (sending lines, asking what they store),
 * and how long to wait before the next try: 200 ms doubling up to 5 s. The first failure in a row is logged
 * as a warning, the ones after it quietly.
 */
final class Retries {
  private int failures;

  void succeeded() {
    failures = 0;
  }

  /** Counts a failure; the delay before trying again. */
  long nextDelay() {
    failures = Math.min(failures + 1, 6);
    return Math.min(5_000L, 100L << failures);
  }

  /** A collector asked for an earlier line: at once the first time, then as any other failure. */
  long gapDelay() {
    if (failures > 0) return nextDelay();
    failures = 1;
    return 50;
  }

  /** How loud to log a failure: the first in a row is a warning. */
  Level level() {
    return failures <= 1 ? Level.WARNING : Level.FINE;
  }
}
