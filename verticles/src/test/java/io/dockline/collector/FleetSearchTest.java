package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.impl.FileLogStore;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import io.dockline.wire.LineMatches;
import io.dockline.wire.SearchKey;
import io.dockline.wire.SearchPage;
import io.dockline.wire.StreamKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search across containers ({@link FleetSearch}) pages through exactly the lines a plain filter of every line
 * keeps, in time order (then container, then seq) up or down, whatever the page and scan bounds: no line twice,
 * none skipped, with many lines sharing a time across containers and times that go backwards in seq order (logs
 * mode stamps stdout and stderr apart), over compacted segments and the one being written.
 */
class FleetSearchTest {
  private static final int CONTAINERS = 5;
  private static final int LINES = 6_000;

  @TempDir Path dir;

  private record Stored(SearchKey key, byte stream, String text) {}

  @Test
  void pagesGiveEveryMatchingLineOnceInOrderUpAndDown() throws Exception {
    Random r = new Random(7);
    List<Stored> all = new ArrayList<>();
    try (LogStore store = LogStore.open(dir, new LogStoreOptions().segmentBytes(64 << 10))) {
      for (int c = 0; c < CONTAINERS; c++) {
        String id = "c" + c + "0000000000";
        long time = 1_000_000_000_000L;
        for (int start = 1; start <= LINES; start += 100) {
          LineBatchBuilder builder = new LineBatchBuilder();
          for (int seq = start; seq < start + 100; seq++) {
            // coarse times (many equal across containers), now and then a step back
            time += r.nextInt(10) < 2 ? -3_000_000L : 1_000_000L * r.nextInt(3);
            byte stream = (r.nextBoolean() ? StreamKind.STDOUT : StreamKind.STDERR).code();
            String text = (r.nextInt(5) == 0 ? "ERROR " : "info ") + id + " line " + seq;
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            builder.add(time, stream, (byte) 0, b, 0, b.length);
            all.add(new Stored(new SearchKey(time, id, seq), stream, text));
          }
          store.append(builder.take(new ContainerMeta(id, "n" + c, "img", "h", Map.of()), start, Integer.MAX_VALUE,
              Integer.MAX_VALUE));
        }
      }
      store.sync();
      assertTrue(((FileLogStore) store).awaitCompaction(Duration.ofSeconds(60)), "compaction finished");
      assertTrue(store.spans("c00000000000").size() >= 3, "several spans per container");

      List<FleetSearch.Part> parts = new ArrayList<>();
      for (int c = 0; c < CONTAINERS; c++) parts.add(new FleetSearch.Part("c" + c + "0000000000", 1, Long.MAX_VALUE));
      // one container only in part: seqs 1001..4000
      parts.set(2, new FleetSearch.Part("c20000000000", 1001, 4000));
      long since = all.get(LINES / 3).key().timeNanos();
      long until = all.get(LINES * 2 / 3).key().timeNanos();
      for (boolean desc : new boolean[] {false, true}) {
        for (String text : new String[] {null, "ERROR"}) {
          for (long[] window : new long[][] {{Long.MIN_VALUE, Long.MAX_VALUE}, {since, until}}) {
            List<SearchKey> expected = new ArrayList<>();
            for (Stored s : all) {
              FleetSearch.Part p = parts.get(s.key().containerId().charAt(1) - '0');
              if (s.key().seq() < p.fromSeq() || s.key().seq() > p.toSeq()) continue;
              if (s.key().timeNanos() < window[0] || s.key().timeNanos() > window[1]) continue;
              if (text != null && !s.text().contains(text)) continue;
              expected.add(s.key());
            }
            expected.sort(desc ? Comparator.reverseOrder() : Comparator.naturalOrder());
            LinePredicate predicate = LinePredicate.of(null, null, text, false, null);
            for (int[] bounds : new int[][] {{100_000, 10_000_000}, {97, 10_000_000}, {500, 1_000}, {13, 300}}) {
              FleetSearch.Request base = new FleetSearch.Request(parts, window[0], window[1], predicate, desc, null,
                  bounds[0], bounds[1], 1 << 20);
              assertSameKeys(expected, pageAll(store, base, all),
                  "desc " + desc + " text " + text + " window " + window[0] + " limit " + bounds[0] + " scan " + bounds[1]);
            }
          }
        }
      }
    }
  }

  /**
   * A compacted segment's blocks are spans of their own (so a scan skips those outside its window), known from
   * compaction or, after a restart, from the first walk that reads it whole; the answers stay exactly the same, and spans listed before a rewrite (a purge) still
   * give each of their lines once.
   */
  @Test
  void aCompactedSegmentIsScannedByItsBlocksOnceKnown() throws Exception {
    Random r = new Random(11);
    List<Stored> all = new ArrayList<>();
    String id = "b00000000000";
    List<LineSpan> compacted;
    try (LogStore store = LogStore.open(dir, new LogStoreOptions().segmentBytes(4 << 20))) {
      long time = 1_000_000_000_000L;
      for (int start = 1; start <= 40_000; start += 500) {
        LineBatchBuilder builder = new LineBatchBuilder();
        for (int seq = start; seq < start + 500; seq++) {
          time += r.nextInt(10) < 2 ? -3_000_000L : 1_000_000L * r.nextInt(3);
          String text = (r.nextInt(7) == 0 ? "ERROR " : "info ") + Long.toHexString(r.nextLong()).repeat(12) + " " + seq;
          byte[] b = text.getBytes(StandardCharsets.UTF_8);
          builder.add(time, StreamKind.STDOUT.code(), (byte) 0, b, 0, b.length);
          all.add(new Stored(new SearchKey(time, id, seq), StreamKind.STDOUT.code(), text));
        }
        store.append(builder.take(new ContainerMeta(id, "b", "img", "h", Map.of()), start, Integer.MAX_VALUE,
            Integer.MAX_VALUE));
      }
      store.sync();
      assertTrue(((FileLogStore) store).awaitCompaction(Duration.ofSeconds(60)), "compaction finished");
      compacted = store.spans(id);
    }
    // every block of the sealed segments, then the segment still written, whole
    assertTrue(compacted.size() >= 8 && compacted.stream().filter(LineSpan::isWhole).count() == 1
        && compacted.get(compacted.size() - 1).isWhole(), "compaction lists its blocks: " + compacted);
    long next = 1;
    for (LineSpan b : compacted) {
      assertEquals(next, b.firstSeq(), "blocks follow each other");
      next = b.lastSeq() + 1;
    }
    assertEquals(40_001, next, "blocks cover every line");
    List<FleetSearch.Part> parts = List.of(new FleetSearch.Part(id, 1, Long.MAX_VALUE));
    long since = all.get(12_000).key().timeNanos();
    long until = all.get(19_000).key().timeNanos();
    List<SearchKey> expected = new ArrayList<>();
    for (Stored s : all) {
      if (s.key().timeNanos() >= since && s.key().timeNanos() <= until && s.text().contains("ERROR")) expected.add(s.key());
    }
    expected.sort(Comparator.naturalOrder());
    LinePredicate errors = LinePredicate.of(null, null, "ERROR", false, null);
    FleetSearch.Request everything = new FleetSearch.Request(parts, Long.MIN_VALUE, Long.MAX_VALUE, errors, false, null,
        300, 10_000_000, 1 << 20);
    FleetSearch.Request window = new FleetSearch.Request(parts, since, until, errors, false, null, 300, 10_000_000, 1 << 20);
    try (LogStore store = LogStore.open(dir, new LogStoreOptions().segmentBytes(4 << 20))) {
      assertTrue(store.spans(id).stream().allMatch(LineSpan::isWhole), "reopened: segments whole until read");
      List<SearchKey> everyError = pageAll(store, everything, all);
      assertEquals(compacted, store.spans(id), "a walk learns the blocks compaction wrote");
      assertSameKeys(expected, pageAll(store, window, all), "by blocks, in a window");
      assertEquals(everyError, pageAll(store, everything, all), "by blocks, everything");
      List<LineSpan> blocks = compacted;
      assertEquals(101, store.purge(id, 100), "purged: the first seq left");
      List<Long> seqs = new ArrayList<>();
      for (LineSpan b : blocks) store.walk(id, b, (seq, t, st, f, d, o, l) -> seqs.add(seq));
      assertEquals(40_000 - 100, seqs.size(), "spans listed before the rewrite: each line once");
      for (int i = 0; i < seqs.size(); i++) assertEquals(101 + i, seqs.get(i));
      assertEquals(0, store.usage().corruptChunks(), "no block read where it no longer is");
    }
  }

  @Test
  void aRegexAndACaseInsensitiveTextMatchTheRenderedLine() {
    byte[] line = "Payment FAILED for order 42".getBytes(StandardCharsets.UTF_8);
    assertTrue(LinePredicate.of(null, null, "failed", true, null).matches((byte) 1, (byte) 0, line, 0, line.length));
    assertFalse(LinePredicate.of(null, null, "failed", false, null).matches((byte) 1, (byte) 0, line, 0, line.length));
    assertTrue(LinePredicate.of(null, null, null, false, "order \\d+$").matches((byte) 1, (byte) 0, line, 0, line.length));
    assertFalse(LinePredicate.of(StreamKind.STDERR, null, null, false, null)
        .matches(StreamKind.STDOUT.code(), (byte) 0, line, 0, line.length));
    // a pattern that backtracks exponentially elsewhere runs in linear time here
    byte[] as = "a".repeat(5_000).getBytes(StandardCharsets.UTF_8);
    long start = System.nanoTime();
    assertFalse(LinePredicate.of(null, null, null, false, "(a+)+b").matches((byte) 1, (byte) 0, as, 0, as.length));
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "no catastrophic backtracking");
    assertThrows(IllegalArgumentException.class, () -> LinePredicate.of(null, null, null, false, "(unclosed"));
  }

  private static void assertSameKeys(List<SearchKey> expected, List<SearchKey> got, String what) {
    int n = Math.min(expected.size(), got.size());
    for (int i = 0; i < n; i++) {
      if (!expected.get(i).equals(got.get(i))) {
        fail(what + ": line " + i + " is " + got.get(i) + ", expected " + expected.get(i));
      }
    }
    assertEquals(expected.size(), got.size(), what + ": lines");
  }

  /** Every page from the first, each continuing after the previous one's cursor, checking what each line holds. */
  private static List<SearchKey> pageAll(LogStore store, FleetSearch.Request base, List<Stored> all) throws Exception {
    Map<SearchKey, Stored> byKey = new TreeMap<>();
    for (Stored s : all) byKey.put(s.key(), s);
    List<SearchKey> out = new ArrayList<>();
    SearchKey cursor = null;
    for (int page = 0; page < 100_000; page++) {
      FleetSearch.Request req = new FleetSearch.Request(base.parts(), base.sinceNanos(), base.untilNanos(),
          base.predicate(), base.descending(), cursor, base.limit(), base.maxScan(), base.maxBytes());
      SearchPage answer = FleetSearch.run(store, req);
      List<SearchKey> keys = new ArrayList<>();
      for (LineMatches m : answer.containers()) {
        LineBatch b = m.lines();
        for (int i = 0; i < m.count(); i++) {
          SearchKey k = new SearchKey(b.timeNanos(i), b.container().id(), m.seq(i));
          assertEquals(byKey.get(k).text(), b.lineText(i), "the line's text");
          assertEquals(byKey.get(k).stream(), b.streamCode(i), "the line's stream");
          keys.add(k);
        }
      }
      keys.sort(base.descending() ? Comparator.reverseOrder() : Comparator.naturalOrder());
      assertTrue(keys.size() <= base.limit(), "within the page's limit");
      if (!answer.hasMore()) {
        out.addAll(keys);
        return out;
      }
      // lines up to `complete` are whole; the ones after it come again on the next page
      for (SearchKey k : keys) {
        int c = k.compareTo(answer.complete());
        if (base.descending() ? c >= 0 : c <= 0) out.add(k);
      }
      assertTrue(cursor == null || (base.descending() ? answer.complete().compareTo(cursor) < 0
          : answer.complete().compareTo(cursor) > 0), "each page moves on");
      cursor = answer.complete();
    }
    throw new AssertionError("paging did not end");
  }
}
