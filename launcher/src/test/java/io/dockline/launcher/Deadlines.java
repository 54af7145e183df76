package io.dockline.launcher;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds for the blocking calls of the tests: a process or stream that hangs fails its test instead of
 * holding CI (JUnit's default timeout, junit-platform.properties, is the outer bound).
 */
final class Deadlines {
  private Deadlines() {}

  /**
   * Kills {@code process} and what it started if it still runs after {@code seconds}, so a read of its output
   * ends (end of stream) and the caller's own check fails.
   */
  static Process killAfter(Process process, long seconds) {
    CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS).execute(() -> {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    });
    return process;
  }

  /** A condition polled by {@link #await}. */
  interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls {@code condition} every 200 ms until it holds; fails naming {@code what} after {@code timeoutMs}. */
  static void await(Condition condition, long timeoutMs, String what) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      if (condition.holds()) return;
      Thread.sleep(200);
    }
    throw new AssertionError("not within " + timeoutMs + " ms: " + what);
  }
}
