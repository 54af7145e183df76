package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStorePurgeTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());

  @TempDir Path dir;
  @TempDir Path crashed;

  private LogStoreOptions options() {
    return new LogStoreOptions().segmentBytes(4096).compression(LogStoreOptions.Compression.NONE);
  }

  /** 300 lines "secret-<seq>", 10 per batch, batch b stamped T0 + b seconds. */
  private static void write(LogStore store) throws IOException {
    for (int b = 0; b < 30; b++) store.append(stamped(A, 1 + b * 10L, 10, "secret", T0 + b * 1000L, 60));
    store.sync();
  }

  @Test
  void purgeInsideASealedSegmentDeletesExactlyTheLinesUpToTheSeqFromDisk() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      write(store);
      assertTrue(segmentFiles(dir.resolve("aaaa")).size() > 3);
      assertEquals(138, store.purge("aaaa", 137)); // inside a chunk, inside a sealed segment
      for (long seq = 1; seq <= 137; seq++) assertFalse(anyFileContains(dir, "secret-" + seq + " "), "seq " + seq);
      assertTrue(anyFileContains(dir, "secret-138 "));
      assertEquals(138, store.firstSeq("aaaa"));
      assertEquals(range(138, 300), allSeqs(store, "aaaa"));
      assertEquals(138, store.read("aaaa", 5, 1).firstSeq());
      assertEquals(138, store.purge("aaaa", 100), "a purge below the first seq changes nothing");
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(138, store.firstSeq("aaaa"));
      assertEquals(range(138, 300), allSeqs(store, "aaaa"));
    }
  }

  @Test
  void purgeInsideTheSegmentBeingWrittenKeepsItWritable() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      write(store);
      long through = 295;
      assertEquals(296, store.purge("aaaa", through));
      assertEquals(1, segmentFiles(dir.resolve("aaaa")).size());
      for (long seq = 1; seq <= through; seq++) assertFalse(anyFileContains(dir, "secret-" + seq + " "), "seq " + seq);
      assertEquals(range(296, 300), allSeqs(store, "aaaa"));
      store.append(stamped(A, 301, 10, "secret", T0, 60));
      store.sync();
      assertEquals(range(296, 310), allSeqs(store, "aaaa"));
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(296, 310), allSeqs(store, "aaaa"));
    }
  }

  @Test
  void purgeOfEverythingRemembersWhereTheLinesEndedSoAResendIsADuplicate() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      write(store);
      assertEquals(301, store.purge("aaaa", Long.MAX_VALUE));
      assertFalse(anyFileContains(dir, "secret-"));
      assertEquals(300, store.lastSeq("aaaa"));
      assertEquals(0, store.read("aaaa", 0, 10).count());
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(300, store.lastSeq("aaaa"));
      assertEquals(301, store.firstSeq("aaaa"));
      assertEquals(new AppendResult(0, 10, 300), store.append(stamped(A, 291, 10, "secret", T0, 60)));
      assertEquals(new AppendResult(5, 0, 305), store.append(stamped(A, 301, 5, "secret", T0, 60)));
      assertEquals(range(301, 305), allSeqs(store, "aaaa"));
    }
  }

  @Test
  void theWriteAheadLogDoesNotBringPurgedLinesBackAfterACrash() throws IOException {
    ContainerMeta b = new ContainerMeta("bbbb", "b", "img", "h", Map.of());
    try (LogStore store = LogStore.open(dir, options())) {
      store.append(stamped(A, 1, 10, "secret", T0, 60));
      store.append(stamped(b, 1, 10, "other", T0, 60)); // two containers: the group goes to the log
      store.sync();
      store.purge("aaaa", 10);
      copyTree(dir, crashed);
    }
    try (LogStore store = LogStore.open(crashed, options())) {
      assertEquals(range(1, 0), allSeqs(store, "aaaa"));
      assertFalse(anyFileContains(crashed, "secret-"));
      assertEquals(range(1, 10), allSeqs(store, "bbbb"));
    }
  }

  @Test
  void seqAtFindsTheLastLineStampedAtOrBeforeATimeForAPurgeByTime() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      write(store);
      assertEquals(0, store.seqAt("aaaa", T0 - 1));
      assertEquals(10, store.seqAt("aaaa", T0)); // batch 0: T0 + 0..9 ns
      assertEquals(150, store.seqAt("aaaa", T0 + 14_500));
      assertEquals(300, store.seqAt("aaaa", T0 + 1_000_000));
      assertEquals(0, store.seqAt("unknown", T0));
      store.purge("aaaa", store.seqAt("aaaa", T0 + 14_500));
      assertEquals(range(151, 300), allSeqs(store, "aaaa"));
    }
  }
}
