package io.dockline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The priority a background thread really runs at, as the kernel reports it in /proc. */
class BackgroundThreadsTest {
  private static String priorityOfAThreadFrom(BackgroundPriority priority) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor(BackgroundThreads.factory("bg-test", priority));
    try {
      CompletableFuture<String> seen = new CompletableFuture<>();
      pool.execute(() -> seen.complete(CurrentThread.priority()));
      return seen.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aNiceValueAndIdleAreWhatTheKernelRunsTheThreadAt() throws Exception {
    String caller = CurrentThread.priority();
    assertEquals("10", priorityOfAThreadFrom(BackgroundPriority.parse("10")));
    assertEquals("19", priorityOfAThreadFrom(BackgroundPriority.parse("19")));
    assertEquals("idle", priorityOfAThreadFrom(BackgroundPriority.IDLE));
    assertEquals(caller, priorityOfAThreadFrom(BackgroundPriority.NORMAL), "normal leaves the thread as it was");
    assertEquals(caller, CurrentThread.priority(), "only the background thread changed");
  }

  @Test
  void badValuesAreRefused() {
    assertTrue(BackgroundPriority.parse("normal").isNormal());
    assertTrue(BackgroundPriority.parse("0").isNormal());
    assertTrue(BackgroundPriority.parse(" idle ").isIdle());
    for (String bad : new String[] {"20", "-1", "fast", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackgroundPriority.parse(bad));
      assertEquals("expected idle, normal or a nice value 0 to 19", e.getMessage());
    }
  }
}
