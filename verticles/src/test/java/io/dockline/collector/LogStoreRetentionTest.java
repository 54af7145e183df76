package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreRetentionTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());
  private static final ContainerMeta B = new ContainerMeta("bbbb", "b", "img", "h", Map.of());
  private static final long SEGMENT = 4096;

  @TempDir Path dir;
  @TempDir Path crashed;

  /** Uncompressed, so byte caps can be checked by arithmetic; {@link LogStoreCompressionTest} covers retention of compacted segments. */
  private LogStoreOptions options() {
    return new LogStoreOptions().segmentBytes(SEGMENT).compression(LogStoreOptions.Compression.NONE);
  }

  private static RetentionPolicy age(Duration age) {
    return new RetentionPolicy(age, Long.MAX_VALUE, Long.MAX_VALUE, PublishHold.NONE);
  }

  /** Writes {@code batches} batches of 20 lines of 100 bytes to {@code meta}, batch b stamped at T0 + b days. */
  private static void writeDays(LogStore store, ContainerMeta meta, int batches, long startMillis) throws IOException {
    for (int b = 0; b < batches; b++) {
      store.append(stamped(meta, 1 + b * 20L, 20, "x", startMillis + b * DAY_MILLIS, 100));
    }
    store.sync();
  }

  @Test
  void ageDeletesWholeSealedSegmentsOldestFirstNeverTheActiveOneAndReadsStartAtTheFirstKeptLine() throws IOException {
    long firstKept;
    try (LogStore store = LogStore.open(dir, options().sealAfter(Duration.ofDays(1000)))) {
      writeDays(store, A, 20, T0);
      int before = segmentFiles(dir.resolve("aaaa")).size();
      assertTrue(before > 5, "several segments: " + before);

      RetentionReport report = store.retain(age(Duration.ofDays(7)), T0 + 20 * DAY_MILLIS);

      assertTrue(report.ageSegments() > 0, report.toString());
      assertEquals(0, report.containerCapSegments() + report.diskBudgetSegments());
      assertEquals(before - report.ageSegments(), segmentFiles(dir.resolve("aaaa")).size());
      firstKept = store.firstSeq("aaaa");
      assertTrue(firstKept > 1);
      // every line older than the cutoff in a sealed segment is gone, no line inside the age is
      long cutoffBatch = 13; // stamped T0 + 13 days = now - 7 days
      assertTrue(firstKept <= cutoffBatch * 20 + 1, "a line inside the age was deleted: first kept " + firstKept);
      assertEquals(range(firstKept, 400), allSeqs(store, "aaaa"));
      assertEquals(firstKept, store.read("aaaa", 0, 5).firstSeq(), "a read from before starts at the first kept line");
      assertEquals(400, store.lastSeq("aaaa"));

      // the segment being written never goes, whatever its age
      RetentionReport all = store.retain(age(Duration.ZERO), T0 + 20 * DAY_MILLIS - 1);
      assertTrue(all.ageSegments() > 0);
      assertEquals(1, segmentFiles(dir.resolve("aaaa")).size());
      firstKept = store.firstSeq("aaaa");
      assertEquals(range(firstKept, 400), allSeqs(store, "aaaa"));
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(firstKept, store.firstSeq("aaaa"));
      assertEquals(range(firstKept, 400), allSeqs(store, "aaaa"));
      store.append(stamped(A, 401, 3, "x", T0, 100));
      assertEquals(range(firstKept, 403), allSeqs(store, "aaaa"));
    }
  }

  @Test
  void aContainersLabelOverridesTheAge() throws IOException {
    ContainerMeta shortLived = new ContainerMeta("cccc", "c", "img", "h", Map.of(RetentionPolicy.AGE_LABEL, "2d"));
    try (LogStore store = LogStore.open(dir, options())) {
      writeDays(store, A, 10, T0);
      writeDays(store, shortLived, 10, T0);
      store.retain(age(Duration.ofDays(30)), T0 + 10 * DAY_MILLIS);
      assertEquals(1, store.firstSeq("aaaa"), "the node's 30 days keep everything");
      assertTrue(store.firstSeq("cccc") > 100, "the label's 2 days delete: " + store.firstSeq("cccc"));
    }
  }

  @Test
  void aQuietContainerIsSealedAfterSealAfterAgesOutWhollyAndLeaves() throws IOException {
    try (LogStore store = LogStore.open(dir, options().sealAfter(Duration.ofHours(1)))) {
      store.append(stamped(A, 1, 5, "x", T0, 10));
      store.append(stamped(B, 1, 5, "x", T0 + 3 * DAY_MILLIS, 10));
      store.sync();

      // within sealAfter: the current segment stays, nothing can go
      RetentionReport early = store.retain(age(Duration.ofMinutes(1)), T0 + 1000);
      assertEquals(0, early.deletedSegments());

      RetentionReport report = store.retain(age(Duration.ofDays(2)), T0 + 4 * DAY_MILLIS);
      assertEquals(List.of("aaaa"), report.goneContainers());
      assertEquals(1, report.ageSegments());
      assertEquals(List.of("bbbb"), store.containers().stream().map(c -> c.meta().id()).toList());
      assertFalse(Files.exists(dir.resolve("aaaa")));
      assertEquals(range(1, 5), allSeqs(store, "bbbb"), "the sealed but young segment stays");
      // the stream can still write: it starts over as a container new to this store
      store.append(stamped(B, 6, 5, "x", T0 + 4 * DAY_MILLIS, 10));
      assertEquals(range(1, 10), allSeqs(store, "bbbb"));
    }
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(List.of("bbbb"), store.containers().stream().map(c -> c.meta().id()).toList());
      assertEquals(range(1, 10), allSeqs(store, "bbbb"));
    }
  }

  @Test
  void theWriteAheadLogDoesNotBringAGoneContainerBackAfterACrash() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      store.append(stamped(A, 1, 5, "x", T0, 10));
      store.append(stamped(B, 1, 5, "x", T0 + 10 * DAY_MILLIS, 10)); // two containers: the group goes to the log
      store.sync();
      assertEquals(List.of("aaaa"), store.retain(age(Duration.ofDays(2)), T0 + 10 * DAY_MILLIS).goneContainers());
      copyTree(dir, crashed);
    }
    try (LogStore store = LogStore.open(crashed, options())) {
      assertEquals(List.of("bbbb"), store.containers().stream().map(c -> c.meta().id()).toList());
    }
  }

  @Test
  void theContainerCapDeletesTheOldestSegmentsDownToTheCapPlusOneSegment() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      writeDays(store, A, 30, T0);
      writeDays(store, B, 3, T0);
      long cap = 3 * SEGMENT;
      RetentionReport report = store.retain(new RetentionPolicy(Duration.ofDays(1000), cap, Long.MAX_VALUE,
          PublishHold.NONE), T0);
      assertTrue(report.containerCapSegments() > 0);
      assertEquals(0, report.ageSegments() + report.diskBudgetSegments());
      long bytes = bytesUnder(dir.resolve("aaaa")) - Files.size(dir.resolve("aaaa/meta.json"));
      assertTrue(bytes <= cap, "within the cap: " + bytes);
      assertTrue(bytes > cap - SEGMENT - 3000, "deleted no more than needed: " + bytes);
      assertEquals(range(store.firstSeq("aaaa"), 600), allSeqs(store, "aaaa"));
      assertEquals(1, store.firstSeq("bbbb"), "a container under the cap keeps everything");
    }
  }

  @Test
  void theDiskBudgetDeletesTheOldestDataAcrossContainersFirst() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      writeDays(store, A, 20, T0);
      writeDays(store, B, 20, T0 + 100 * DAY_MILLIS);
      long total = store.usage().diskBytes();
      long budget = total - 3 * SEGMENT;
      RetentionReport report = store.retain(new RetentionPolicy(Duration.ofDays(1000), Long.MAX_VALUE, budget,
          PublishHold.NONE), T0);
      assertTrue(report.diskBudgetSegments() >= 3, report.toString());
      assertTrue(store.firstSeq("aaaa") > 1, "the older container lost its oldest lines");
      assertEquals(1, store.firstSeq("bbbb"), "the newer container kept everything");
      long segmentBytes = bytesUnder(dir.resolve("aaaa")) + bytesUnder(dir.resolve("bbbb"))
          - Files.size(dir.resolve("aaaa/meta.json")) - Files.size(dir.resolve("bbbb/meta.json"));
      assertTrue(segmentBytes <= budget, segmentBytes + " within " + budget);
    }
  }

  @Test
  void aPublishHoldKeepsLinesNotYetReleased() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      writeDays(store, A, 20, T0);
      RetentionPolicy held = new RetentionPolicy(Duration.ZERO, 0, Long.MAX_VALUE, id -> 100);
      RetentionReport report = store.retain(held, T0 + 100 * DAY_MILLIS);
      assertTrue(report.deletedSegments() > 0, "segments wholly at or below the hold go");
      assertTrue(store.firstSeq("aaaa") <= 101, "nothing above the hold went: first " + store.firstSeq("aaaa"));
      assertEquals(range(store.firstSeq("aaaa"), 400), allSeqs(store, "aaaa"));
      assertEquals(0, report.unreleasedLines());
    }
  }

  @Test
  void theDiskBudgetDeletesHeldLinesLastAndCountsThem() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      writeDays(store, A, 20, T0);
      long budget = store.usage().diskBytes() / 2;
      RetentionPolicy held = new RetentionPolicy(Duration.ofSeconds(Long.MAX_VALUE), Long.MAX_VALUE, budget, id -> 100);
      RetentionReport report = store.retain(held, T0 + 100 * DAY_MILLIS);
      long first = store.firstSeq("aaaa");
      assertTrue(first > 101, "the budget took lines above the hold: first " + first);
      assertEquals(first - 1 - 100, report.unreleasedLines(), "every deleted line above the hold counted");
      assertEquals(range(first, 400), allSeqs(store, "aaaa"));
    }
  }

  @Test
  void usageCountsFilesLinesSegmentsAndContainers() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      writeDays(store, A, 10, T0);
      writeDays(store, B, 2, T0);
      StoreUsage usage = store.usage();
      assertEquals(2, usage.containers());
      assertEquals(240L * 100, usage.rawBytes());
      assertEquals(segmentFiles(dir.resolve("aaaa")).size() + segmentFiles(dir.resolve("bbbb")).size(), usage.segments());
      long metaBytes = Files.size(dir.resolve("aaaa/meta.json")) + Files.size(dir.resolve("bbbb/meta.json"));
      assertEquals(bytesUnder(dir) - metaBytes, usage.diskBytes());
      assertEquals(0, usage.corruptChunks());
    }
  }
}
