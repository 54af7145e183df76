package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import io.dockline.wire.StreamKind;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreTest {
  private static final String ID = "c0ffee0123456789";
  private static final ContainerMeta META = new ContainerMeta(ID, "web-1", "nginx:1.27", "node-a",
      Map.of("com.example.team", "edge", "tier", "front"));

  @TempDir Path dir;

  @Test
  void roundTripKeepsExactBytesStreamsFlagsAndTimes() throws IOException {
    byte[] invalidUtf8 = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28, 0x00, (byte) 0x80, '\r'};
    byte[] empty = {};
    byte[] big = new byte[1 << 20];
    new Random(7).nextBytes(big);
    byte[] text = "plain text ✓".getBytes(StandardCharsets.UTF_8);

    LineBatchBuilder builder = new LineBatchBuilder();
    builder.add(1_000L, StreamKind.STDOUT.code(), (byte) 0, text, 0, text.length);
    builder.add(2_000L, StreamKind.STDERR.code(), (byte) 0, invalidUtf8, 0, invalidUtf8.length);
    builder.add(3_000L, StreamKind.STDOUT.code(), (byte) 0, empty, 0, 0);
    builder.add(4_000L, StreamKind.STDERR.code(), LineBatch.FLAG_PARTIAL, big, 0, big.length);
    builder.add(Long.MAX_VALUE, StreamKind.STDOUT.code(), (byte) 0, text, 0, 5);
    LineBatch written = builder.take(META, 1, Integer.MAX_VALUE, Integer.MAX_VALUE);

    try (LogStore store = open()) {
      AppendResult result = store.append(written);
      assertEquals(new AppendResult(5, 0, 5), result);
      assertSameLines(written, store.read(ID, 0, 100)); // unsynced data is visible
      store.sync();
    }
    try (LogStore store = open()) {
      LineBatch read = store.read(ID, 0, 100);
      assertSameLines(written, read);
      assertTrue(read.partial(3));
      assertFalse(read.partial(0));
      assertEquals(StreamKind.STDERR, read.stream(1));
      assertArrayEquals(invalidUtf8, read.lineBytes(1));
      assertEquals(0, read.lineLength(2));
      assertArrayEquals(big, read.lineBytes(3));
      assertEquals(Long.MAX_VALUE, read.timeNanos(4));
    }
  }

  @Test
  void duplicatesAreDroppedAndCounted() throws IOException {
    try (LogStore store = open()) {
      assertEquals(new AppendResult(10, 0, 10), store.append(batch(META, 1, 10, "first")));
      // Overlapping resend: 6..10 are held already, only 11..15 are new.
      assertEquals(new AppendResult(5, 5, 15), store.append(batch(META, 6, 10, "second")));
      // A full repeat writes nothing.
      long bytesBefore = summary(store).bytes();
      assertEquals(new AppendResult(0, 15, 15), store.append(batch(META, 1, 15, "third")));
      assertEquals(bytesBefore, summary(store).bytes());

      LineBatch all = store.read(ID, 0, 100);
      assertEquals(15, all.count());
      assertEquals(1, all.firstSeq());
      assertEquals("first-6", all.lineText(5), "the original of a duplicate is kept");
      assertEquals("first-10", all.lineText(9));
      assertEquals("second-11", all.lineText(10));
      assertEquals("second-15", all.lineText(14));
    }
  }

  @Test
  void gapIsRejectedWithExpectedSeqAndNothingWritten() throws IOException {
    ContainerMeta renamed = META.withName("renamed");
    try (LogStore store = open()) {
      store.append(batch(META, 1, 5, "a"));
      long bytesBefore = summary(store).bytes();

      SequenceGapException gap = assertThrows(SequenceGapException.class,
          () -> store.append(batch(renamed, 8, 3, "b")));
      assertEquals(6, gap.expectedSeq());
      assertEquals(ID, gap.containerId());
      assertEquals(5, store.lastSeq(ID));
      assertEquals(bytesBefore, summary(store).bytes());
      assertEquals("web-1", store.meta(ID).orElseThrow().name(), "a refused batch does not change meta");
      assertEquals(5, store.read(ID, 0, 100).count());

      // A container without data accepts any start: its stream may have moved from another collector.
      ContainerMeta other = new ContainerMeta("moved", "m", "img", "h", Map.of());
      assertEquals(new AppendResult(3, 0, 102), store.append(batch(other, 100, 3, "m")));
      assertEquals(100, store.firstSeq("moved"));
      assertEquals(100, store.read("moved", 0, 10).firstSeq());
    }
  }

  @Test
  void rotatesBySizeAndReadsAcrossSegmentBoundaries() throws Exception {
    LogStoreOptions options = new LogStoreOptions().segmentBytes(1024);
    int batches = 60;
    int perBatch = 7;
    try (LogStore store = LogStore.open(dir, options)) {
      for (int b = 0; b < batches; b++) {
        store.append(batch(META, 1 + (long) b * perBatch, perBatch, "rot"));
      }
      store.sync();
      long total = (long) batches * perBatch;
      List<Long> segmentStarts = segmentStarts();
      assertTrue(segmentStarts.size() >= 4, "expected several segments, got " + segmentStarts);
      assertEquals(1L, segmentStarts.get(0));
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, total);

      // Reads that start just before each boundary run on into the next segment.
      for (long start : segmentStarts.subList(1, segmentStarts.size())) {
        LineBatch across = store.read(ID, start - 3, 10);
        assertContiguous(across, start - 2, Math.min(10, total - (start - 3)));
      }
      // the sealed segments are compacted in the background: the files' sizes are final once that is done
      assertTrue(((io.dockline.collector.impl.FileLogStore) store).awaitCompaction(java.time.Duration.ofSeconds(60)));
      ContainerSummary summary = summary(store);
      assertEquals(total, summary.lineCount());
      assertEquals(totalSegmentBytes(), summary.bytes());
    }
    try (LogStore store = LogStore.open(dir, options)) {
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, (long) batches * perBatch);
      store.append(batch(META, (long) batches * perBatch + 1, 3, "after"));
      assertContiguous(store.read(ID, 0, Integer.MAX_VALUE), 1, (long) batches * perBatch + 3);
    }
  }

  @Test
  void reopenKeepsLastSeqMetaAndLines() throws IOException {
    try (LogStore store = open()) {
      store.append(batch(META, 1, 40, "x"));
      store.append(batch(META, 41, 2, "y"));
    }
    try (LogStore store = open()) {
      assertEquals(42, store.lastSeq(ID));
      assertEquals(1, store.firstSeq(ID));
      assertEquals(META, store.meta(ID).orElseThrow());
      LineBatch all = store.read(ID, 0, 1000);
      assertContiguous(all, 1, 42);
      assertEquals("x-1", all.lineText(0));
      assertEquals("y-42", all.lineText(41));
      ContainerSummary summary = summary(store);
      assertEquals(new ContainerSummary(META, 1, 42, 42, totalSegmentBytes()), summary);
      assertEquals(new AppendResult(1, 0, 43), store.append(batch(META, 43, 1, "z")));
    }
  }

  @Test
  void garbageAfterLastChunkIsCutOffOnReopen() throws IOException {
    try (LogStore store = open()) {
      store.append(batch(META, 1, 10, "ok"));
      store.append(batch(META, 11, 10, "ok"));
    }
    Path segment = lastSegment();
    long validSize = Files.size(segment);
    Files.write(segment, new byte[] {0x44, 0x4b, 0x4c, 0x43, 0, 0, 0, 9, 1, 2, 3}, StandardOpenOption.APPEND);

    try (LogStore store = open()) {
      assertEquals(20, store.lastSeq(ID));
      assertEquals(validSize, Files.size(segment));
      assertContiguous(store.read(ID, 0, 100), 1, 20);
      assertEquals(new AppendResult(5, 0, 25), store.append(batch(META, 21, 5, "new")));
    }
    try (LogStore store = open()) {
      LineBatch all = store.read(ID, 0, 100);
      assertContiguous(all, 1, 25);
      assertEquals("new-25", all.lineText(24));
    }
  }

  @Test
  void chunkCutInHalfIsDroppedAndAppendsContinueFromTheLastValidSeq() throws IOException {
    long sizeAfterTwo;
    try (LogStore store = open()) {
      store.append(batch(META, 1, 10, "a"));
      store.append(batch(META, 11, 10, "b"));
      sizeAfterTwo = summary(store).bytes();
      store.append(batch(META, 21, 10, "c"));
    }
    Path segment = lastSegment();
    long cut = sizeAfterTwo + (Files.size(segment) - sizeAfterTwo) / 2;
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(cut);
    }

    try (LogStore store = open()) {
      assertEquals(20, store.lastSeq(ID));
      assertEquals(sizeAfterTwo, Files.size(segment));
      assertContiguous(store.read(ID, 0, 100), 1, 20);
      // The sender resends what was never acknowledged.
      assertEquals(new AppendResult(10, 0, 30), store.append(batch(META, 21, 10, "c2")));
      assertEquals("c2-21", store.read(ID, 20, 1).lineText(0));
    }
    try (LogStore store = open()) {
      assertContiguous(store.read(ID, 0, 100), 1, 30);
    }
  }

  @Test
  void flippedBitInLastChunkFailsTheCrcAndIsCutOff() throws IOException {
    long sizeAfterOne;
    try (LogStore store = open()) {
      store.append(batch(META, 1, 5, "a"));
      sizeAfterOne = summary(store).bytes();
      store.append(batch(META, 6, 5, "b"));
    }
    Path segment = lastSegment();
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length - 2] ^= 0x10;
    Files.write(segment, bytes);

    try (LogStore store = open()) {
      assertEquals(5, store.lastSeq(ID));
      assertEquals(sizeAfterOne, Files.size(segment));
      assertContiguous(store.read(ID, 0, 100), 1, 5);
    }
  }

  @Test
  void emptySegmentLeftByACrashAfterRotationIsDropped() throws IOException {
    LogStoreOptions options = new LogStoreOptions().segmentBytes(512);
    try (LogStore store = LogStore.open(dir, options)) {
      for (int b = 0; b < 10; b++) store.append(batch(META, 1 + b * 5L, 5, "r"));
    }
    Path stray = dir.resolve(ID).resolve(String.format("%020d.seg", 51));
    Files.createFile(stray);

    try (LogStore store = LogStore.open(dir, options)) {
      assertEquals(50, store.lastSeq(ID));
      assertFalse(Files.exists(stray));
      assertEquals(new AppendResult(5, 0, 55), store.append(batch(META, 51, 5, "s")));
      assertContiguous(store.read(ID, 0, 100), 1, 55);
    }
  }

  @Test
  void renameIsPersistedAndUnchangedMetaIsNotRewritten() throws IOException {
    Path metaFile = dir.resolve(ID).resolve("meta.json");
    try (LogStore store = open()) {
      store.append(batch(META, 1, 2, "a"));
      Object fileKey = Files.readAttributes(metaFile, BasicFileAttributes.class).fileKey();
      store.append(batch(META, 3, 2, "a"));
      assertEquals(fileKey, Files.readAttributes(metaFile, BasicFileAttributes.class).fileKey(),
          "meta.json must not be replaced when nothing changed");

      store.append(batch(META.withName("web-1-renamed"), 5, 2, "b"));
      assertEquals("web-1-renamed", store.meta(ID).orElseThrow().name());
      JsonObject json = new JsonObject(Files.readString(metaFile));
      assertEquals(ID, json.getString("id"));
      assertEquals("web-1-renamed", json.getString("name"));
      assertEquals("nginx:1.27", json.getString("image"));
      assertEquals("node-a", json.getString("host"));
      assertEquals("edge", json.getJsonObject("labels").getString("com.example.team"));
      assertFalse(Files.exists(dir.resolve(ID).resolve("meta.json.tmp")));
    }
    try (LogStore store = open()) {
      assertEquals(META.withName("web-1-renamed"), store.meta(ID).orElseThrow());
      assertEquals(META.withName("web-1-renamed"), summary(store).meta());
    }
  }

  @Test
  void readFromTheMiddleHonoursAfterSeqAndLimit() throws IOException {
    try (LogStore store = open()) {
      for (int b = 0; b < 10; b++) store.append(batch(META, 1 + b * 10L, 10, "m"));

      LineBatch middle = store.read(ID, 44, 7);
      assertContiguous(middle, 45, 7);
      assertEquals("m-45", middle.lineText(0));
      assertContiguous(store.read(ID, 95, 10), 96, 5);
      assertEquals(0, store.read(ID, 100, 10).count());
      assertEquals(0, store.read(ID, 5, 0).count());
      assertContiguous(store.read(ID, -3, 2), 1, 2);
      assertEquals(0, store.read(ID, Long.MAX_VALUE, 10).count());

      LineBatch unknown = store.read("nobody", 0, 10);
      assertEquals(0, unknown.count());
      assertEquals("nobody", unknown.container().id());
      assertEquals(0, store.lastSeq("nobody"));
      assertTrue(store.meta("nobody").isEmpty());
    }
  }

  @Test
  void readNearTheEndOfALargeSegmentFindsTheRightLines() throws IOException {
    // Enough chunks (about 2 MiB) for the sparse index to matter, in one segment.
    int lines = 0;
    try (LogStore store = open()) {
      for (int b = 0; b < 2000; b++) {
        store.append(batch(META, lines + 1, 10, "tail-with-some-padding-to-make-the-line-longer-" + "p".repeat(60)));
        lines += 10;
      }
      assertEquals(1, segmentStarts().size());
      for (long after : new long[] {lines - 1, lines - 15, lines / 2 + 3, 9, 0}) {
        LineBatch read = store.read(ID, after, 12);
        assertContiguous(read, after + 1, Math.min(12, lines - after));
      }
    }
    try (LogStore store = open()) { // the index is rebuilt by the recovery scan
      assertContiguous(store.read(ID, lines - 25, 100), lines - 24, 25);
    }
  }

  @Test
  void pagingThroughSealedSegmentsAndRandomReadsReturnTheRightLines() throws IOException {
    LogStoreOptions options = new LogStoreOptions().segmentBytes(1 << 20);
    long lines = 0;
    try (LogStore store = LogStore.open(dir, options)) {
      String padding = "q".repeat(80);
      for (int b = 0; b < 3000; b++) {
        store.append(batch(META, lines + 1, 10, padding));
        lines += 10;
      }
      assertTrue(segmentStarts().size() >= 3, "segments " + segmentStarts());
      long after = 0;
      for (LineBatch page; (page = store.read(ID, after, 137)).count() > 0; after += page.count()) {
        assertContiguous(page, after + 1, Math.min(137, lines - after));
      }
      assertEquals(lines, after);
      Random random = new Random(42);
      for (int i = 0; i < 200; i++) {
        long from = (long) (random.nextDouble() * lines);
        assertContiguous(store.read(ID, from, 25), from + 1, Math.min(25, lines - from));
      }
    }
  }

  @Test
  void readStopsAtTheByteBudgetButReturnsAtLeastOneLine() throws IOException {
    LogStoreOptions options = new LogStoreOptions().maxReadBytes(100);
    try (LogStore store = LogStore.open(dir, options)) {
      store.append(batch(META, 1, 50, "0123456789-abcdefghij")); // lines of about 24 bytes
      LineBatch read = store.read(ID, 0, 50);
      assertTrue(read.count() > 0 && read.count() < 50, "got " + read.count());
      assertTrue(read.dataLength() <= 100);
      assertContiguous(read, 1, read.count());

      byte[] huge = new byte[500];
      LineBatchBuilder builder = new LineBatchBuilder();
      builder.add(1, (byte) 1, (byte) 0, huge, 0, huge.length);
      store.append(builder.take(META, 51, 10, Integer.MAX_VALUE));
      assertEquals(1, store.read(ID, 50, 10).count());
    }
  }

  @Test
  void unsafeContainerIdsAreRejected() throws IOException {
    try (LogStore store = open()) {
      for (String bad : new String[] {"../escape", ".hidden", "a/b", "", "with space", "..", "x\\y", "é"}) {
        ContainerMeta meta = new ContainerMeta(bad, "n", "i", "h", Map.of());
        assertThrows(IllegalArgumentException.class, () -> store.append(batch(meta, 1, 1, "x")), bad);
        assertThrows(IllegalArgumentException.class, () -> store.read(bad, 0, 1), bad);
      }
      assertTrue(store.containers().isEmpty());
    }
    try (Stream<Path> entries = Files.list(dir)) { // nothing but the store's own write-ahead log and work dir
      assertEquals(List.of(dir.resolve(".compact"), dir.resolve(".wal")), entries.sorted().collect(Collectors.toList()));
    }
    assertFalse(Files.exists(dir.getParent().resolve("escape")));
  }

  @Test
  void syncAndContainersCoverEveryContainer() throws IOException {
    try (LogStore store = open()) {
      store.append(batch(META, 1, 3, "a"));
      store.append(batch(new ContainerMeta("second_one.2", "s", "img", "h", Map.of()), 7, 4, "b"));
      store.sync();
      store.sync(); // nothing pending is fine
      Map<String, ContainerSummary> byId = store.containers().stream()
          .collect(Collectors.toMap(s -> s.meta().id(), s -> s));
      assertEquals(2, byId.size());
      assertEquals(3, byId.get(ID).lineCount());
      assertEquals(7, byId.get("second_one.2").firstSeq());
      assertEquals(10, byId.get("second_one.2").lastSeq());
      assertEquals(4, byId.get("second_one.2").lineCount());
    }
  }

  @Test
  void aStreamThatCameBackLeavesAHoleOnlyWhenTheSenderVouchesForIt() throws IOException {
    try (LogStore store = open()) {
      store.append(batch(META, 1, 10, "a"));
      // 11..20 went to another collector but the sender cannot vouch they are stored: a gap, nothing written
      SequenceGapException gap = assertThrows(SequenceGapException.class,
          () -> store.append(batch(META, 21, 10, "b"), 15));
      assertEquals(11, gap.expectedSeq());
      assertEquals(10, store.lastSeq(ID));
      // once 11..20 are acknowledged elsewhere the batch is taken, after a hole
      assertEquals(new AppendResult(10, 0, 30), store.append(batch(META, 21, 10, "b"), 20));
      store.append(batch(META, 31, 5, "c"), 30);
      assertEquals(List.of(1L, 21L), segmentStarts(), "the hole falls between segments");
      store.sync();
    }
    try (LogStore store = open()) {
      assertEquals(35, store.lastSeq(ID));
      assertContiguous(store.read(ID, 0, 100), 1, 10); // stops before the hole
      assertContiguous(store.read(ID, 10, 100), 21, 15);
      assertContiguous(store.read(ID, 14, 100), 21, 15); // starts inside the hole
      assertContiguous(store.read(ID, 22, 3), 23, 3);
      assertEquals(0, store.read(ID, 35, 100).count());
      // a resend of lines held before the hole is a duplicate
      assertEquals(new AppendResult(0, 5, 35), store.append(batch(META, 5, 5, "a"), 35));
    }
  }

  @Test
  void anEmptyStoreRefusesAMidStreamBatchNobodyVouchesFor() throws IOException {
    try (LogStore store = open()) {
      // a batch that overtook an unacknowledged one: taking it would make the older one look like a duplicate
      assertThrows(SequenceGapException.class, () -> store.append(batch(META, 101, 10, "x"), 50));
      assertEquals(0, store.lastSeq(ID));
      assertEquals(new AppendResult(10, 0, 110), store.append(batch(META, 101, 10, "x"), 100));
      assertContiguous(store.read(ID, 0, 100), 101, 10);
    }
  }

  // ---- helpers ----

  private LogStore open() throws IOException {
    return LogStore.open(dir, new LogStoreOptions());
  }

  /** {@code count} lines from {@code firstSeq}, text "prefix-seq", alternating streams, times 1000*seq. */
  static LineBatch batch(ContainerMeta meta, long firstSeq, int count, String prefix) {
    LineBatchBuilder builder = new LineBatchBuilder();
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      byte[] text = (prefix + "-" + seq).getBytes(StandardCharsets.UTF_8);
      byte stream = (seq % 2 == 0 ? StreamKind.STDERR : StreamKind.STDOUT).code();
      builder.add(seq * 1000, stream, (byte) 0, text, 0, text.length);
    }
    return builder.take(meta, firstSeq, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /** Seqs run from {@code firstSeq} without a hole, and each line is the one written for its seq. */
  static void assertContiguous(LineBatch batch, long firstSeq, long count) {
    assertEquals(count, batch.count(), "line count");
    assertEquals(firstSeq, batch.firstSeq(), "first seq");
    for (int i = 0; i < batch.count(); i++) {
      long seq = firstSeq + i;
      assertEquals(seq * 1000, batch.timeNanos(i), "time of seq " + seq);
      assertTrue(batch.lineText(i).endsWith("-" + seq), "text of seq " + seq + ": " + batch.lineText(i));
      assertEquals((seq % 2 == 0 ? StreamKind.STDERR : StreamKind.STDOUT), batch.stream(i));
    }
  }

  private static void assertSameLines(LineBatch expected, LineBatch actual) {
    assertEquals(expected.count(), actual.count());
    assertEquals(expected.firstSeq(), actual.firstSeq());
    assertEquals(expected.container(), actual.container());
    for (int i = 0; i < expected.count(); i++) {
      assertEquals(expected.timeNanos(i), actual.timeNanos(i), "time " + i);
      assertEquals(expected.streamCode(i), actual.streamCode(i), "stream " + i);
      assertEquals(expected.flags(i), actual.flags(i), "flags " + i);
      assertArrayEquals(expected.lineBytes(i), actual.lineBytes(i), "bytes " + i);
    }
  }

  private static ContainerSummary summary(LogStore store) {
    return store.containers().stream().filter(s -> s.meta().id().equals(ID)).findFirst().orElseThrow();
  }

  private List<Long> segmentStarts() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve(ID))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".seg"))
          .map(n -> Long.parseLong(n.substring(0, n.length() - 4))).sorted().collect(Collectors.toList());
    }
  }

  private Path lastSegment() throws IOException {
    List<Long> starts = segmentStarts();
    return dir.resolve(ID).resolve(String.format("%020d.seg", starts.get(starts.size() - 1)));
  }

  private long totalSegmentBytes() throws IOException {
    long total = 0;
    for (long start : segmentStarts()) total += Files.size(dir.resolve(ID).resolve(String.format("%020d.seg", start)));
    return total;
  }

}
