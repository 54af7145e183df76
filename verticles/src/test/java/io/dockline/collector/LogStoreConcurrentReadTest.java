package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads never queue behind a group commit: they are served while the writer thread waits in a sync. */
class LogStoreConcurrentReadTest {
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());

  @TempDir Path dir;

  @Test
  void readsAreServedWhileTheWriterIsBlockedInASync() throws Exception {
    CountDownLatch inForce = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    LogStoreOptions options = new LogStoreOptions().segmentBytes(4096).force((channel, path, metadata) -> {
      if (armed.get() && path.getFileName().toString().endsWith(".seg")) {
        inForce.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      channel.force(metadata);
    });
    try (LogStore store = LogStore.open(dir, options)) {
      for (int b = 0; b < 20; b++) store.append(stamped(A, 1 + b * 10L, 10, "x", 1000, 80));
      armed.set(true);
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          store.sync();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      assertTrue(inForce.await(30, TimeUnit.SECONDS), "the writer reached its force");
      CompletableFuture<Object> reads = CompletableFuture.supplyAsync(() -> {
        try {
          assertEquals(range(1, 200), allSeqs(store, "aaaa"));
          assertEquals(200, store.lastSeq("aaaa"));
          assertEquals(1, store.firstSeq("aaaa"));
          assertEquals(1, store.containers().size());
          assertTrue(store.meta("aaaa").isPresent());
          assertEquals(200, store.seqAt("aaaa", 2000));
          return store.usage();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      Object usage = reads.get(30, TimeUnit.SECONDS); // would time out if reads queued behind the sync
      assertFalse(writer.isDone(), "the sync was still blocked while the reads were served");
      release.countDown();
      writer.get(30, TimeUnit.SECONDS);
      assertNotNull(usage);
    } finally {
      release.countDown();
    }
  }

  /**
   * The segment a rotation or an age seal closes is forced, and a force of a whole segment can take long: the
   * container's lock must not be held meanwhile. Each force of a segment reads the container from another
   * thread and waits for that read.
   */
  @Test
  void readsAreServedWhileTheWriterForcesTheSegmentItSeals() throws Exception {
    java.util.concurrent.atomic.AtomicReference<LogStore> opened = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.List<String> blocked = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
    LogStoreOptions options = new LogStoreOptions().segmentBytes(4096).sealAfter(java.time.Duration.ofHours(1))
        .compression(LogStoreOptions.Compression.NONE).force((channel, path, metadata) -> {
          LogStore store = opened.get();
          if (store != null && path.getFileName().toString().endsWith(".seg")) {
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
              try {
                return store.read("aaaa", 0, 10).lastSeq() + store.firstSeq("aaaa");
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
            try {
              read.get(20, TimeUnit.SECONDS);
              checked.incrementAndGet();
            } catch (Exception e) {
              blocked.add(path.getFileName() + ": " + e);
            }
          }
          channel.force(metadata);
        });
    try (LogStore store = LogStore.open(dir, options)) {
      opened.set(store);
      for (int b = 0; b < 20; b++) store.append(stamped(A, 1 + b * 10L, 10, "x", 1000, 80)); // rotates
      store.append(stamped(A, 1001, 10, "x", 1000, 80), 1000); // after a hole: seals the current one
      store.sync();
      store.retain(RetentionPolicy.keepAll(), 1000 + 2 * 3_600_000L); // seals for its age
    }
    assertEquals(java.util.List.of(), blocked, "reads that waited for a force");
    assertTrue(checked.get() >= 3, "segments forced: " + checked.get());
  }

  @Test
  void readersOnManyThreadsSeeContiguousLinesWhileTheWriterAppendsRotatesAndPurges() throws Exception {
    try (LogStore store = LogStore.open(dir, new LogStoreOptions().segmentBytes(2048))) {
      store.append(stamped(A, 1, 10, "x", 1000, 50));
      CompletableFuture<?>[] readers = new CompletableFuture<?>[3];
      java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicLong purgedThrough = new java.util.concurrent.atomic.AtomicLong();
      for (int r = 0; r < readers.length; r++) {
        readers[r] = CompletableFuture.runAsync(() -> {
          try {
            while (writing.get()) {
              // a page goes on where the last ended, unless a purge took the lines between them meanwhile
              long after = 0;
              for (LineBatch page; (page = store.read("aaaa", after, 1000)).count() > 0; after = page.lastSeq()) {
                long first = page.firstSeq();
                assertTrue(first == after + 1 || (first > after && first - 1 <= purgedThrough.get()),
                    "page from " + first + " after " + after + ", purged through " + purgedThrough.get());
              }
              store.usage();
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
      }
      for (int b = 1; b < 300; b++) {
        store.append(stamped(A, 1 + b * 10L, 10, "x", 1000, 50));
        if (b % 50 == 0) {
          purgedThrough.set(b * 5L); // before the purge: a reader may see its effect at once
          store.purge("aaaa", b * 5L);
        }
        if (b % 10 == 0) store.sync();
      }
      writing.set(false);
      CompletableFuture.allOf(readers).get(60, TimeUnit.SECONDS);
      assertEquals(range(1251, 3000), allSeqs(store, "aaaa"), "lines after the last purge");
    }
  }
}
