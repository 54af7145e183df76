package io.dockline.attach.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dockline.config.BackgroundPriority;
import io.dockline.config.CurrentThread;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** The spool's writes go to the page cache; on a busy host the containers and their reading come first. */
  @Test
  void spoolWorkRunsAtTheBackgroundPriority(@TempDir Path dir) throws Exception {
    String caller = CurrentThread.priority();
    assertEquals("10", priorityOfSpoolWork(dir, BackgroundPriority.parse("10")));
    assertEquals("idle", priorityOfSpoolWork(dir, BackgroundPriority.IDLE));
    assertEquals(caller, priorityOfSpoolWork(dir, BackgroundPriority.NORMAL));
  }

  private String priorityOfSpoolWork(Path dir, BackgroundPriority priority) throws Exception {
    Spool spool = new Spool(vertx.getOrCreateContext(), dir, 1 << 20, Spool.Policy.BLOCK, priority);
    try {
      return spool.run(CurrentThread::priority).await(30, TimeUnit.SECONDS);
    } finally {
      spool.close();
    }
  }
}
