package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.impl.FileLogStore;
import io.dockline.wire.ContainerMeta;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's lifecycle steps one after another (seal, compact, retain, purge, reopen): no line lost, none twice. */
class LogStoreLifecycleTest {
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());
  private static final long T0 = 1_700_000_000_000L;

  @TempDir Path dir;

  private static LogStoreOptions options() {
    return new LogStoreOptions().segmentBytes(1 << 20).sealAfter(Duration.ofHours(1))
        .compression(LogStoreOptions.Compression.ZSTD);
  }

  private static void settle(LogStore store) throws InterruptedException {
    assertTrue(((FileLogStore) store).awaitCompaction(Duration.ofSeconds(120)), "compaction finished");
  }

  @Test
  void aSegmentSealedForItsAgeAndCompactedTakesTheLinesAfterAReopen() throws Exception {
    try (LogStore store = LogStore.open(dir, options())) {
      store.append(stamped(A, 1, 100, "x", T0, 100));
      store.sync();
      store.retain(RetentionPolicy.keepAll(), T0 + 2 * 3_600_000L); // seals it for its age: compacted
      settle(store);
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(1, 100), allSeqs(store, "aaaa"));
      store.append(stamped(A, 101, 100, "x", T0 + 3 * 3_600_000L, 100));
      store.sync();
      assertEquals(range(1, 200), allSeqs(store, "aaaa"));
      store.retain(RetentionPolicy.keepAll(), T0 + 5 * 3_600_000L);
      settle(store);
      assertEquals(range(1, 200), allSeqs(store, "aaaa"));
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(1, 200), allSeqs(store, "aaaa"));
      store.append(stamped(A, 201, 10, "x", T0 + 6 * 3_600_000L, 100));
      store.sync();
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(1, 210), allSeqs(store, "aaaa"));
      assertEquals(0, store.usage().corruptChunks());
    }
  }
}
