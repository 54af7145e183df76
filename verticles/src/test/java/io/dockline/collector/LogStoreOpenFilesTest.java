package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineMatches;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open files follow the containers writing now: a container's current segment file is forced and closed once
 * it has been quiet for {@link LogStoreOptions#closeIdleAfter()}, and its next line reopens it. Reads, search,
 * dedup, order and durability do not notice. Counted by the store and by the process's open descriptors.
 */
@Timeout(120)
class LogStoreOpenFilesTest {
  private static final int CONTAINERS = 300;
  private static final int LINES = 40;
  private static final Duration IDLE = Duration.ofMillis(300);
  private static final long DEADLINE_MS = 20_000;

  @TempDir Path dir;
  @TempDir Path afterPowerLoss;

  @Test
  void quietContainersReleaseTheirSegmentFilesAndTakeLinesAgainAsIfTheyNeverHad() throws Exception {
    AcknowledgedMeansDurableTest.ForcedImage image = new AcknowledgedMeansDurableTest.ForcedImage();
    // small segments: each container also holds sealed ones; no compression: no background opens of files
    LogStoreOptions options = new LogStoreOptions().segmentBytes(1024).closeIdleAfter(IDLE).force(image)
        .compression(LogStoreOptions.Compression.NONE);
    try (LogStore store = LogStore.open(dir, options)) {
      // several containers in a group: their lines are durable by the write-ahead log, the segments unforced
      for (int i = 0; i < CONTAINERS; i++) store.append(lines(i, 1, LINES / 2));
      store.sync();
      for (int i = 0; i < CONTAINERS; i++) store.append(lines(i, 1 + LINES / 2, LINES / 2));
      // only a sync or a retention run releases files, so however slow the appends were, all are open now
      assertEquals(CONTAINERS, store.usage().openSegments(), "one open segment per container written");
      assertOpenSegmentDescriptors(CONTAINERS);
      store.sync();

      awaitReleased(store);
      assertOpenSegmentDescriptors(0);
      // reads of a released segment open it only for the read
      for (int i = 0; i < CONTAINERS; i++) assertEquals(StoreLines.range(1, LINES), StoreLines.allSeqs(store, id(i)));
      LineMatches found = store.search(id(7), 0, TextFilter.of("c7-" + LINES), 10, 1000);
      assertEquals(1, found.count(), "search finds the last line of the released segment");
      assertTrue(store.seqAt(id(7), Long.MAX_VALUE) >= LINES);
      assertEquals(0, store.usage().openSegments(), "reads reopened nothing for long");
      assertOpenSegmentDescriptors(0);

      // a purge checkpoints the write-ahead log away: the released segments must already be durable by themselves
      store.purge(id(0), 5);
      image.powerLoss(dir, afterPowerLoss);

      for (int i = 0; i < CONTAINERS; i++) {
        LineBatch resend = lines(i, LINES - 9, 20); // 10 held already, 10 new
        AppendResult r = store.append(resend);
        assertEquals(10, r.duplicates(), "container " + i);
        assertEquals(10, r.written(), "container " + i);
      }
      assertEquals(CONTAINERS, store.usage().openSegments(), "the next lines reopened each segment");
      store.sync();
      for (int i = 1; i < CONTAINERS; i++) {
        assertEquals(StoreLines.range(1, LINES + 10), StoreLines.allSeqs(store, id(i)), "container " + i);
      }
      assertEquals(StoreLines.range(6, LINES + 10), StoreLines.allSeqs(store, id(0)));
      awaitReleased(store);
    }
    try (LogStore store = LogStore.open(dir, options)) {
      assertEquals(0, store.usage().openSegments(), "an open leaves no segment file open");
      assertOpenSegmentDescriptors(0);
      for (int i = 1; i < CONTAINERS; i++) {
        assertEquals(StoreLines.range(1, LINES + 10), StoreLines.allSeqs(store, id(i)), "container " + i);
      }
    }
    try (LogStore store = LogStore.open(afterPowerLoss, new LogStoreOptions())) {
      for (int i = 1; i < CONTAINERS; i++) {
        assertEquals(StoreLines.range(1, LINES), StoreLines.allSeqs(store, id(i)), "after a power loss, container " + i);
      }
    }
  }

  /** Syncs (each sync releases what is idle) until no segment file is open; deadline-bound, not timed. */
  private static void awaitReleased(LogStore store) throws Exception {
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    while (store.usage().openSegments() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      store.sync();
    }
    assertEquals(0, store.usage().openSegments(), "quiet containers' segment files are closed");
  }

  /** On Linux, the descriptors of this process open on a segment under {@link #dir}. */
  private void assertOpenSegmentDescriptors(int expected) throws IOException {
    List<Path> open = StoreLines.openSegmentFiles(dir);
    if (open == null) return;
    assertEquals(expected, open.size(), "segment files open in /proc/self/fd");
  }

  private static String id(int i) {
    return String.format("c%015d", i);
  }

  private static LineBatch lines(int container, long firstSeq, int count) {
    ContainerMeta meta = new ContainerMeta(id(container), "n" + container, "img", "h", Map.of());
    return StoreLines.stamped(meta, firstSeq, count, "c" + container, System.currentTimeMillis(), 60);
  }
}
