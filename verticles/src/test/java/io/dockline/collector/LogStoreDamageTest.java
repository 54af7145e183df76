package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged chunk is a hole: the store opens, reads skip it and count it, nothing after it is lost. */
class LogStoreDamageTest {
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());

  @TempDir Path dir;

  private LogStoreOptions options() {
    return new LogStoreOptions().segmentBytes(8192).compression(LogStoreOptions.Compression.NONE);
  }

  /** 600 lines, 10 per chunk. */
  private void write() throws IOException {
    try (LogStore store = LogStore.open(dir, options())) {
      for (int b = 0; b < 60; b++) store.append(stamped(A, 1 + b * 10L, 10, "x", 1000, 60));
    }
  }

  private static void flipByteAt(Path file, long position) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      channel.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
      channel.write(b, position);
    }
  }

  /** The seqs missing from 1..600: exactly one chunk of 10, as a jump in what was served. */
  private static List<Long> assertOneChunkMissing(List<Long> served) {
    List<Long> missing = new ArrayList<>(range(1, 600));
    missing.removeAll(served);
    assertEquals(10, missing.size(), "one chunk's lines are a hole: " + describe(missing));
    assertEquals(0, (missing.get(0) - 1) % 10, "the hole is a whole chunk: " + describe(missing));
    assertEquals(missing.get(0) + 9, missing.get(9));
    return missing;
  }

  @Test
  void aFlippedByteInAnOlderSegmentIsAHoleThatReadsSkipAndCount() throws IOException {
    write();
    List<Path> segments = segmentFiles(dir.resolve("aaaa"));
    assertTrue(segments.size() >= 3);
    Path older = segments.get(1);
    long size = Files.size(older);
    flipByteAt(older, size / 2);

    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(600, store.lastSeq("aaaa"));
      List<Long> served = allSeqs(store, "aaaa");
      List<Long> missing = assertOneChunkMissing(served);
      long holeStart = missing.get(0);
      // a read stops before the hole, one that starts inside it answers from the first line after it
      LineBatch before = store.read("aaaa", holeStart - 4, 100);
      assertEquals(holeStart - 3, before.firstSeq());
      assertEquals(holeStart - 1, before.lastSeq());
      LineBatch after = store.read("aaaa", holeStart + 2, 5);
      assertEquals(holeStart + 10, after.firstSeq());
      assertEquals(1, store.usage().corruptChunks(), "counted once however often it is read");
      assertEquals(size, Files.size(older), "an older segment is never cut");
      store.append(stamped(A, 601, 5, "x", 1000, 60));
      assertEquals(605, store.lastSeq("aaaa"));
    }
  }

  @Test
  void aBadChunkInTheMiddleOfTheCurrentSegmentIsAHoleNotATruncation() throws IOException {
    write();
    List<Path> segments = segmentFiles(dir.resolve("aaaa"));
    Path current = segments.get(segments.size() - 1);
    long size = Files.size(current);
    assertTrue(size > 2000, "the current segment holds several chunks: " + size);
    flipByteAt(current, size / 3);

    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(size, Files.size(current), "only a torn tail may be cut");
      assertEquals(600, store.lastSeq("aaaa"));
      assertOneChunkMissing(allSeqs(store, "aaaa"));
      assertEquals(1, store.usage().corruptChunks());
      assertEquals(new AppendResult(5, 0, 605), store.append(stamped(A, 601, 5, "x", 1000, 60)));
      store.sync();
    }
    try (LogStore store = LogStore.open(dir, options())) {
      List<Long> served = allSeqs(store, "aaaa");
      assertEquals(605, served.get(served.size() - 1));
      assertEquals(595, served.size());
    }
  }

  @Test
  void aDamagedSegmentHeaderDoesNotStopTheOpenOrTheReads() throws IOException {
    write();
    List<Path> segments = segmentFiles(dir.resolve("aaaa"));
    flipByteAt(segments.get(0), 9); // inside baseSeq: the header's CRC fails
    flipByteAt(segments.get(segments.size() - 1), 0); // the magic
    try (LogStore store = LogStore.open(dir, options())) {
      assertEquals(range(1, 600), allSeqs(store, "aaaa"));
    }
  }
}
