package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.impl.FileLogStore;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import io.dockline.wire.LineMatches;
import io.dockline.wire.StreamKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A text search in the store ({@link LogStore#search}) answers exactly the lines a plain filter of every line
 * keeps, over compacted (compressed) segments and the segment being written, whatever the page and scan bounds;
 * and each answer stops within its bounds and says where, so paging on from there misses nothing.
 */
class LogStoreSearchTest {
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());
  private static final int LINES = 20_000;

  @TempDir Path dir;

  @Test
  void searchAnswersWhatAPlainFilterOfEveryLineKeepsAcrossCompactedAndActiveSegments() throws Exception {
    List<byte[]> lines = new ArrayList<>(LogStoreCompressionTest.realisticLines(LINES, 3));
    // lines that end with the text (the last line of a block or chunk among them), hold it twice, or only
    // across two lines' boundary ("...Stri" + "peClient..." is no match); one not UTF-8
    for (int i = 199; i < LINES; i += 200) lines.set(i, ("line " + (i + 1) + " ends with StripeClient").getBytes(StandardCharsets.UTF_8));
    lines.set(500, "StripeClient StripeClient".getBytes(StandardCharsets.UTF_8));
    lines.set(700, "across Stri".getBytes(StandardCharsets.UTF_8));
    lines.set(701, "peClient the boundary".getBytes(StandardCharsets.UTF_8));
    lines.set(900, new byte[] {'S', 't', (byte) 0xff, 'r', 'i'});
    try (LogStore store = LogStore.open(dir, new LogStoreOptions().segmentBytes(512 << 10))) {
      append(store, lines);
      assertTrue(((FileLogStore) store).awaitCompaction(Duration.ofSeconds(120)), "compaction finished");
      assertTrue(store.usage().segments() >= 3, "sealed segments and the active one: " + store.usage().segments());
      for (String text : List.of("StripeClient", "ERROR", "\"level\":\"warn\"", "order 4000", "zzz-nowhere", "i", "\uFFFD")) {
        TextFilter filter = TextFilter.of(text);
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
          if (filter.matches(lines.get(i), 0, lines.get(i).length)) expected.add(i + 1L);
        }
        for (int[] bounds : new int[][] {{100_000, 1_000_000}, {97, 1_000_000}, {100_000, 333}, {41, 150}}) {
          assertEquals(expected, searchAll(store, lines, filter, bounds[0], bounds[1]),
              "'" + text + "' limit " + bounds[0] + " scan " + bounds[1]);
        }
      }
      assertTrue(searchAll(store, lines, TextFilter.of("StripeClient"), 100_000, 1_000_000).contains(LINES + 0L),
          "the store's last line matches");
    }
  }

  @Test
  void aSparseMatchIsFoundAcrossAnswersThatEachStopAtTheirScanBound() throws Exception {
    List<byte[]> lines = new ArrayList<>();
    for (int i = 0; i < LINES; i++) lines.add(("filler line " + i).getBytes(StandardCharsets.UTF_8));
    lines.set(LINES - 2, "the needle".getBytes(StandardCharsets.UTF_8));
    try (LogStore store = LogStore.open(dir, new LogStoreOptions().segmentBytes(64 << 10))) {
      append(store, lines);
      TextFilter needle = TextFilter.of("needle");
      LineMatches first = store.search("aaaa", 0, needle, 10, 1000);
      assertEquals(0, first.count());
      assertEquals(1, first.scannedFrom());
      assertEquals(1000, first.scannedThrough(), "an answer scans at most its bound, and says so");
      assertEquals(List.of(LINES - 1L), searchAll(store, lines, needle, 10, 1000));
      LineMatches end = store.search("aaaa", LINES, needle, 10, 1000);
      assertFalse(end.scannedAny(), "nothing after the last line");
      // a limit of matches stops the scan at the last one taken
      LineMatches one = store.search("aaaa", 0, TextFilter.of("filler"), 5, 1000);
      assertEquals(5, one.count());
      assertEquals(5, one.scannedThrough());
      assertEquals(5, one.seq(4));
    }
  }

  @Test
  void aSearchThatStartsInTrimmedSeqsStartsAtTheFirstKeptLineAndSaysSo() throws Exception {
    List<byte[]> lines = new ArrayList<>();
    for (int i = 0; i < 5000; i++) lines.add(("line " + (i + 1) + (i % 10 == 0 ? " hit" : "")).getBytes(StandardCharsets.UTF_8));
    try (LogStore store = LogStore.open(dir, new LogStoreOptions().segmentBytes(16 << 10))) {
      append(store, lines);
      long first = store.purge("aaaa", 1234);
      LineMatches m = store.search("aaaa", 0, TextFilter.of("hit"), 3, 1_000_000);
      assertEquals(first, m.scannedFrom());
      assertEquals(1241, m.seq(0));
      assertEquals("line 1241 hit", new String(m.lines().lineBytes(0), StandardCharsets.UTF_8));
    }
  }

  @Test
  void theByteScanMarksExactlyTheLinesThatContainTheText() {
    Random r = new Random(5);
    for (int round = 0; round < 2000; round++) {
      int count = 1 + r.nextInt(20);
      int[] lengths = new int[count];
      byte[] data = new byte[3 + count * 8];
      int at = 3;
      for (int i = 0; i < count; i++) {
        lengths[i] = r.nextInt(8);
        for (int k = 0; k < lengths[i]; k++) data[at + k] = (byte) "abc\u00ff".charAt(r.nextInt(4));
        at += lengths[i];
      }
      String text = List.of("a", "ab", "abc", "ca", "\u00ff").get(r.nextInt(5));
      TextFilter filter = TextFilter.of(text);
      boolean[] marks = new boolean[count];
      filter.scan(data, 3, lengths, count, marks);
      for (int i = 0, off = 3; i < count; off += lengths[i], i++) {
        assertEquals(filter.matches(data, off, lengths[i]), marks[i], "round " + round + " line " + i);
      }
    }
  }

  /** Every match, paging as the gateway does: each answer continues after the last seq the one before scanned. */
  private static List<Long> searchAll(LogStore store, List<byte[]> lines, TextFilter filter, int limit, int scan)
      throws Exception {
    List<Long> found = new ArrayList<>();
    long after = 0;
    for (int answers = 0; ; answers++) {
      assertTrue(answers <= LINES, "paging ends");
      LineMatches m = store.search("aaaa", after, filter, limit, scan);
      if (!m.scannedAny()) return found;
      assertTrue(m.count() <= limit, m + " within its limit");
      assertTrue(m.scannedThrough() - m.scannedFrom() < scan, m + " within its scan bound");
      assertEquals(after + 1, m.scannedFrom(), "contiguous with the answer before");
      for (int i = 0; i < m.count(); i++) {
        long seq = m.seq(i);
        assertTrue(seq >= m.scannedFrom() && seq <= m.scannedThrough(), "match " + seq + " inside " + m);
        assertArrayEquals(lines.get((int) seq - 1), m.lines().lineBytes(i), "line " + seq);
        assertEquals(1_000_000L * (seq - 1), m.lines().timeNanos(i));
        found.add(seq);
      }
      after = m.scannedThrough();
    }
  }

  private static void append(LogStore store, List<byte[]> lines) throws Exception {
    for (int start = 0; start < lines.size(); start += 200) {
      LineBatchBuilder builder = new LineBatchBuilder();
      for (int i = start; i < Math.min(lines.size(), start + 200); i++) {
        builder.add(1_000_000L * i, StreamKind.STDOUT.code(), (byte) 0, lines.get(i), 0, lines.get(i).length);
      }
      LineBatch batch = builder.take(A, start + 1, Integer.MAX_VALUE, Integer.MAX_VALUE);
      store.append(batch);
    }
    store.sync();
  }
}
