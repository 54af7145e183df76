package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.impl.FileLogStore;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import io.dockline.wire.StreamKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed segments compacted into compressed blocks: same lines, a fraction of the bytes, either setting reads both. */
class LogStoreCompressionTest {
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());
  private static final long SEGMENT = 1 << 20;

  @TempDir Path dir;

  private static LogStoreOptions options(LogStoreOptions.Compression compression) {
    return new LogStoreOptions().segmentBytes(SEGMENT).compression(compression);
  }

  private static void settle(LogStore store) throws InterruptedException {
    assertTrue(((FileLogStore) store).awaitCompaction(Duration.ofSeconds(120)), "compaction finished");
  }

  /**
   * Service-log-like lines: access logs, Java logs, JSON, syslog, mixed; times, ids, paths, levels and numbers
   * change from line to line the way they do in a service (clients and requests recur, ids rise).
   */
  static List<byte[]> realisticLines(int count, long seed) {
    Random r = new Random(seed);
    String[] paths = {"/api/orders", "/api/users/", "/static/app.js", "/healthz", "/api/cart/items", "/login"};
    String[] classes = {"com.shop.order.OrderService", "com.shop.http.RequestFilter", "org.hibernate.SQL",
        "com.shop.payment.StripeClient"};
    String[] levels = {"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
    String[] clients = new String[200];
    for (int i = 0; i < clients.length; i++) clients[i] = "10." + r.nextInt(8) + "." + r.nextInt(255) + "." + r.nextInt(255);
    long[] traces = new long[32];
    List<byte[]> lines = new ArrayList<>(count);
    long t = 1_700_000_000_000L;
    long order = 4_000_000;
    for (int i = 0; i < count; i++) {
      t += r.nextInt(20);
      if (r.nextInt(8) == 0) traces[r.nextInt(traces.length)] = r.nextLong();
      long trace = traces[r.nextInt(traces.length)];
      String line = switch (r.nextInt(4)) {
        case 0 -> String.format("%s - - [%tFT%<tT] \"GET %s%d HTTP/1.1\" %d %d \"-\" \"Mozilla/5.0\"",
            clients[r.nextInt(clients.length)], t, paths[r.nextInt(paths.length)], r.nextInt(500),
            r.nextInt(10) == 0 ? 404 : 200, 200 + r.nextInt(2000));
        case 1 -> String.format("%tFT%<tT.%03d %-5s [%s] %s - processed order %d in %d ms", t, t % 1000,
            levels[r.nextInt(levels.length)], "http-nio-8080-exec-" + r.nextInt(20), classes[r.nextInt(classes.length)],
            order += r.nextInt(3), r.nextInt(300));
        case 2 -> String.format("{\"ts\":%d,\"level\":\"%s\",\"msg\":\"cache miss\",\"key\":\"user:%d\",\"trace\":\"%016x\"}",
            t, levels[r.nextInt(levels.length)].toLowerCase(), r.nextInt(2000), trace);
        default -> String.format("<%d>%tb %<te %<tT host-%d sshd[%d]: Accepted publickey for deploy from %s",
            86, t, r.nextInt(4), 1000 + r.nextInt(200), clients[r.nextInt(clients.length)]);
      };
      lines.add(line.getBytes(StandardCharsets.UTF_8));
    }
    return lines;
  }

  private static void append(LogStore store, List<byte[]> lines, int from, int to) throws IOException {
    for (int start = from; start < to; start += 200) {
      LineBatchBuilder builder = new LineBatchBuilder();
      for (int i = start; i < Math.min(to, start + 200); i++) {
        builder.add(1_000_000L * i, StreamKind.STDOUT.code(), (byte) 0, lines.get(i), 0, lines.get(i).length);
      }
      store.append(builder.take(A, start + 1, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }
    store.sync();
  }

  /** Every line, byte for byte, paging. */
  private static void assertHolds(LogStore store, List<byte[]> lines, int count) throws IOException {
    long after = 0;
    int seen = 0;
    while (true) {
      LineBatch page = store.read("aaaa", after, 5000);
      if (page.count() == 0) break;
      for (int i = 0; i < page.count(); i++) {
        long seq = page.firstSeq() + i;
        assertEquals(seen + 1, seq, "contiguous");
        assertArrayEquals(lines.get((int) seq - 1), page.lineBytes(i), "line " + seq);
        assertEquals(1_000_000L * (seq - 1), page.timeNanos(i));
        seen++;
      }
      after = page.lastSeq();
    }
    assertEquals(count, seen);
  }

  private static boolean compacted(Path segment) throws IOException {
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(8);
      channel.read(head, 0);
      return head.getInt(0) == 0x444B4C53 && (head.getShort(6) & 2) != 0;
    }
  }

  private List<Path> sealedSegments() throws IOException {
    List<Path> all = segmentFiles(dir.resolve("aaaa"));
    return all.subList(0, all.size() - 1);
  }

  @Test
  void compactedSegmentsHoldTheSameLinesInAFractionOfTheBytesAndEitherSettingReadsBoth() throws Exception {
    List<byte[]> lines = realisticLines(60_000, 1);
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.ZSTD))) {
      append(store, lines, 0, 40_000);
      settle(store);
      List<Path> sealed = sealedSegments();
      assertTrue(sealed.size() >= 3, "several sealed segments: " + sealed.size());
      for (Path s : sealed) assertTrue(compacted(s), s + " compacted");
      assertHolds(store, lines, 40_000);

      long sealedBytes = 0;
      for (Path s : sealed) sealedBytes += Files.size(s);
      String activeName = segmentFiles(dir.resolve("aaaa")).get(sealed.size()).getFileName().toString();
      long activeFirstSeq = Long.parseLong(activeName.substring(0, 20));
      long sealedRaw = 0;
      for (int i = 0; i < activeFirstSeq - 1; i++) sealedRaw += lines.get(i).length;
      double ratio = (double) sealedBytes / sealedRaw;
      assertTrue(ratio < 0.15, "compacted segments hold " + ratio + " of the raw bytes");
      long written = 0;
      for (int i = 0; i < 40_000; i++) written += lines.get(i).length;
      assertEquals(written, store.usage().rawBytes(), "raw bytes are the lines' bytes");
    }
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.NONE))) {
      assertHolds(store, lines, 40_000);
      append(store, lines, 40_000, 60_000);
      settle(store);
      assertHolds(store, lines, 60_000);
      assertFalse(compacted(sealedSegments().get(sealedSegments().size() - 1)), "NONE leaves sealed segments plain");
    }
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.ZSTD))) {
      settle(store);
      for (Path s : sealedSegments()) assertTrue(compacted(s), s + " compacted after reopening under zstd");
      assertHolds(store, lines, 60_000);
    }
  }

  @Test
  void aStoreWrittenInTheFirstFormatIsReadAndCompacted() throws Exception {
    // format version 1, as the store wrote it before segments had a header
    List<byte[]> lines = realisticLines(3000, 2);
    Path container = containerDir();
    writeFirstFormatSegment(container.resolve("00000000000000000001.seg"), lines, 1, 2000);
    writeFirstFormatSegment(container.resolve("00000000000000002001.seg"), lines, 2001, 3000);

    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.ZSTD))) {
      assertEquals(3000, store.lastSeq("aaaa"));
      assertEquals(A, store.meta("aaaa").orElseThrow());
      assertHolds(store, lines, 3000);
      settle(store);
      assertTrue(compacted(container.resolve("00000000000000000001.seg")), "the old sealed segment is compacted");
      assertHolds(store, lines, 3000);
      List<byte[]> more = new ArrayList<>(lines);
      more.addAll(realisticLines(100, 3));
      append(store, more, 3000, 3100);
      assertHolds(store, more, 3100);
    }
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.NONE))) {
      assertEquals(3100, store.lastSeq("aaaa"));
    }
  }

  @Test
  void aSegmentCompactedByThePreviousReleaseIsRead() throws Exception {
    // its blocks' columns hold the numbers whole (codec 1), as the first release with compression wrote them
    List<byte[]> lines = realisticLines(3000, 5);
    Path container = containerDir();
    writeCodecOneSegment(container.resolve("00000000000000000001.seg"), lines, 1, 2000);
    writeFirstFormatSegment(container.resolve("00000000000000002001.seg"), lines, 2001, 3000);
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.ZSTD))) {
      assertEquals(3000, store.lastSeq("aaaa"));
      assertHolds(store, lines, 3000);
      assertEquals(1_000_000L * 1499, store.read("aaaa", 1499, 1).timeNanos(0), "times come back whole");
      List<byte[]> more = new ArrayList<>(lines);
      more.addAll(realisticLines(100, 6));
      append(store, more, 3000, 3100);
      assertHolds(store, more, 3100);
    }
  }

  /** Container aaaa's directory, with the meta.json an earlier release wrote. */
  private Path containerDir() throws IOException {
    Path container = Files.createDirectories(dir.resolve("aaaa"));
    Files.writeString(container.resolve("meta.json"),
        "{\"id\":\"aaaa\",\"name\":\"a\",\"image\":\"img\",\"host\":\"h\",\"labels\":{}}");
    return container;
  }

  /** A compacted segment as the previous release wrote it: a version-2 header, blocks of 500 lines in codec 1. */
  private static void writeCodecOneSegment(Path file, List<byte[]> lines, int first, int last) throws IOException {
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer header = ByteBuffer.allocate(32);
      header.putInt(0x444B4C53).putShort((short) 2).putShort((short) 2).putLong(first - 1);
      CRC32C headerCrc = new CRC32C();
      headerCrc.update(header.array(), 0, 28);
      header.putInt(28, (int) headerCrc.getValue()).rewind();
      while (header.hasRemaining()) out.write(header);
      for (int start = first; start <= last; start += 500) {
        int end = Math.min(last, start + 499);
        int count = end - start + 1;
        int text = 0;
        for (int s = start; s <= end; s++) text += lines.get(s - 1).length;
        ByteBuffer columns = ByteBuffer.allocate(count * 14 + text);
        long previous = 0;
        for (int s = start; s <= end; s++) {
          columns.putLong(1_000_000L * (s - 1) - previous);
          previous = 1_000_000L * (s - 1);
        }
        for (int s = start; s <= end; s++) columns.put(StreamKind.STDOUT.code());
        for (int s = start; s <= end; s++) columns.put((byte) 0);
        for (int s = start; s <= end; s++) columns.putInt(lines.get(s - 1).length);
        for (int s = start; s <= end; s++) columns.put(lines.get(s - 1));
        byte[] payload = com.github.luben.zstd.Zstd.compress(columns.array(), 3);
        ByteBuffer block = ByteBuffer.allocate(29 + payload.length);
        block.putInt(0x444B4C5A).putInt(payload.length).putInt(0).putLong(start).putInt(count).put((byte) 1)
            .putInt(columns.capacity()).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(block.array(), 12, block.capacity() - 12);
        block.putInt(8, (int) crc.getValue()).rewind();
        while (block.hasRemaining()) out.write(block);
      }
    }
  }

  /** A version-1 segment: no header, one chunk per 100 lines (magic, length, CRC32C, firstSeq, count, records, text). */
  private static void writeFirstFormatSegment(Path file, List<byte[]> lines, int first, int last) throws IOException {
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int start = first; start <= last; start += 100) {
        int end = Math.min(last, start + 99);
        int count = end - start + 1;
        int text = 0;
        for (int s = start; s <= end; s++) text += lines.get(s - 1).length;
        ByteBuffer chunk = ByteBuffer.allocate(24 + count * 14 + text);
        chunk.putInt(0x444B4C43).putInt(count * 14 + text).putInt(0).putLong(start).putInt(count);
        for (int s = start; s <= end; s++) {
          chunk.putLong(1_000_000L * (s - 1)).put(StreamKind.STDOUT.code()).put((byte) 0).putInt(lines.get(s - 1).length);
        }
        for (int s = start; s <= end; s++) chunk.put(lines.get(s - 1));
        CRC32C crc = new CRC32C();
        crc.update(chunk.array(), 12, chunk.capacity() - 12);
        chunk.putInt(8, (int) crc.getValue()).rewind();
        while (chunk.hasRemaining()) out.write(chunk);
      }
    }
  }

  @Test
  void aDamagedBlockIsAHoleOfItsLinesAndTheRestIsServed() throws Exception {
    List<byte[]> lines = realisticLines(40_000, 4);
    Path damaged;
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.ZSTD))) {
      append(store, lines, 0, 40_000);
      settle(store);
      damaged = sealedSegments().get(1);
    }
    long size = Files.size(damaged);
    try (FileChannel channel = FileChannel.open(damaged, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {0x55, 0x55}), size / 2);
    }
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.ZSTD))) {
      List<Long> served = allSeqsOf(store);
      assertTrue(served.size() < 40_000 && served.size() > 30_000, "one block missing: " + describe(served));
      assertEquals(40_000L, served.get(served.size() - 1));
      assertEquals(1, store.usage().corruptChunks());
      for (long seq : served.subList(0, 10)) assertArrayEquals(lines.get((int) seq - 1), store.read("aaaa", seq - 1, 1).lineBytes(0));
    }
  }

  @Test
  void aPurgeInsideACompactedSegmentKeepsExactlyTheLinesAfterIt() throws Exception {
    List<byte[]> lines = realisticLines(30_000, 5);
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.ZSTD))) {
      append(store, lines, 0, 30_000);
      settle(store);
      assertEquals(12_346, store.purge("aaaa", 12_345));
      List<Long> served = allSeqsOf(store);
      assertEquals(range(12_346, 30_000), served);
      assertArrayEquals(lines.get(12_345), store.read("aaaa", 0, 1).lineBytes(0));
      settle(store);
      assertEquals(range(12_346, 30_000), allSeqsOf(store));
    }
    try (LogStore store = LogStore.open(dir, options(LogStoreOptions.Compression.NONE))) {
      assertEquals(range(12_346, 30_000), allSeqsOf(store));
    }
  }

  private static List<Long> allSeqsOf(LogStore store) throws IOException {
    List<Long> seqs = range(1, 0);
    long after = 0;
    while (true) {
      LineBatch page = store.read("aaaa", after, 5000);
      if (page.count() == 0) return seqs;
      for (int i = 0; i < page.count(); i++) seqs.add(page.firstSeq() + i);
      after = page.lastSeq();
    }
  }
}
