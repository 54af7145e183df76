package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica brought up to date: older lines stored below (and between) what a container already holds. */
class LogStoreBackfillTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());

  @TempDir Path dir;

  private static LogStoreOptions options() {
    return new LogStoreOptions().segmentBytes(4096);
  }

  @Test
  void olderLinesGoBelowInOrderDurablyAndOnce() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      store.append(stamped(A, 201, 100, "line", T0, 40), 200); // the first batch routed to a new replica
      store.sync();
      assertEquals(201, store.firstSeq("aaaa"));
      assertEquals(100, store.backfill(stamped(A, 1, 100, "line", T0, 40)), "copied from the start");
      assertEquals(1, store.firstSeq("aaaa"));
      assertEquals(0, store.backfill(stamped(A, 1, 100, "line", T0, 40)), "a repeated copy takes nothing");
      assertEquals(List.of("1..100", "201..300"), runs(store), "the runs it holds, for a copier to compare");
      assertEquals(range(1, 100), allSeqs(store, "aaaa").subList(0, 100));
      assertEquals(100, store.backfill(stamped(A, 90, 150, "line", T0, 40)), "only the hole 101..200 of 90..239");
      assertEquals(range(1, 300), allSeqs(store, "aaaa"));
      assertEquals(List.of("1..300"), runs(store));
      assertEquals(new AppendResult(10, 0, 310), store.append(stamped(A, 301, 10, "line", T0, 40)),
          "appends go on after the last seq");
      assertEquals(new AppendResult(0, 10, 310), store.append(stamped(A, 150, 10, "line", T0, 40)),
          "and a resend of backfilled lines is a duplicate");
      assertEquals(0, store.backfill(stamped(A, 311, 10, "line", T0, 40)), "past the last seq: appends bring those");
      assertEquals(0, store.backfill(stamped(new ContainerMeta("bbbb", "b", "img", "h", Map.of()), 1, 10, "l", T0, 40)),
          "a container it does not hold");
    }
    // durable without a sync, and read back in order after an open
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(1, 310), allSeqs(store, "aaaa"));
      LineBatch first = store.read("aaaa", 0, 5);
      assertEquals(1, first.firstSeq());
      assertTrue(first.lineText(0).startsWith("line-1 "), first.lineText(0));
    }
  }

  private static List<String> runs(LogStore store) throws IOException {
    List<String> out = new ArrayList<>();
    for (long[] r : store.ranges("aaaa")) out.add(r[0] + ".." + r[1]);
    return out;
  }

  @Test
  void aPurgesLinesAreNotBroughtBack() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      store.append(stamped(A, 1, 100, "line", T0, 40));
      store.sync();
      store.purge("aaaa", 50);
      assertEquals(0, store.backfill(stamped(A, 1, 60, "line", T0, 40)));
      assertEquals(range(51, 100), allSeqs(store, "aaaa"));
    }
  }

  @Test
  void retentionTakesBackfilledLinesFirstAsTheOldest() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      store.append(stamped(A, 1001, 200, "line", T0 + 1000, 40), 1000);
      store.sync();
      List<Long> expected = new ArrayList<>(range(1, 1000));
      for (int from = 1; from <= 1000; from += 250) store.backfill(stamped(A, from, 250, "line", T0, 40));
      expected.addAll(range(1001, 1200));
      assertEquals(expected, allSeqs(store, "aaaa"));
      long before = store.usage().diskBytes();
      RetentionReport r = store.retain(new RetentionPolicy(java.time.Duration.ofMillis(500), Long.MAX_VALUE,
          Long.MAX_VALUE, PublishHold.NONE), T0 + 1000);
      assertTrue(store.usage().diskBytes() < before, r.toString());
      assertTrue(store.firstSeq("aaaa") > 1, "the backfilled (older) lines went");
    }
  }
}
