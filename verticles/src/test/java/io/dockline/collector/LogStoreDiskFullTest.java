package io.dockline.collector;

import static io.dockline.collector.StoreLines.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real full disk: the store lives on a small tmpfs (the tests run as root) that a filler file fills. */
class LogStoreDiskFullTest {
  private static final ContainerMeta A = new ContainerMeta("aaaa", "a", "img", "h", Map.of());
  private static final ContainerMeta B = new ContainerMeta("bbbb", "b", "img", "h", Map.of());

  @TempDir Path temp;
  private Path mount;

  @BeforeEach
  void mountSmallTmpfs() throws Exception {
    mount = Files.createDirectories(temp.resolve("small"));
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    Assumptions.assumeTrue(mounted, "needs root to mount a tmpfs");
  }

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
  }

  /** Fills the file system but for about {@code leaveBytes}. */
  private Path fill(long leaveBytes) throws IOException {
    Path filler = mount.resolve("filler");
    long free = Files.getFileStore(mount).getUsableSpace();
    try (OutputStream out = Files.newOutputStream(filler)) {
      byte[] block = new byte[4096];
      for (long written = 0; written < free - leaveBytes; written += block.length) out.write(block);
    }
    return filler;
  }

  @Test
  void aFullDiskFailsTheBatchWithNothingOfItHeldAndTheSameBatchLaterIsStoredOnce() throws IOException {
    Path dataDir = mount.resolve("data");
    try (LogStore store = LogStore.open(dataDir, new LogStoreOptions().segmentBytes(64 << 10))) {
      store.append(stamped(A, 1, 10, "x", 1000, 100));
      store.sync();
      Path filler = fill(256 << 10);
      long next = 11;
      LineBatch failing = null;
      for (int i = 0; i < 1000 && failing == null; i++) {
        LineBatch batch = stamped(A, next, 50, "x", 1000, 200);
        long lastBefore = store.lastSeq("aaaa");
        try {
          store.append(batch);
          next += 50;
        } catch (StoreFullException e) {
          failing = batch;
          assertEquals(lastBefore, store.lastSeq("aaaa"), "lastSeq unchanged by the failed batch");
        }
      }
      assertNotNull(failing, "the disk filled");
      long held = next - 1;
      store.sync(); // the earlier batches of the group are still good to sync
      assertEquals(range(1, held), allSeqs(store, "aaaa"), "what was appended before the failure is all there");

      Files.delete(filler);
      assertEquals(new AppendResult(50, 0, held + 50), store.append(failing));
      store.sync();
      assertEquals(range(1, held + 50), allSeqs(store, "aaaa"), "stored once");
    }
    try (LogStore store = LogStore.open(dataDir, new LogStoreOptions().segmentBytes(64 << 10))) {
      long last = store.lastSeq("aaaa");
      assertEquals(range(1, last), allSeqs(store, "aaaa"), "the files stayed readable");
      assertEquals(0, store.usage().corruptChunks());
    }
  }

  @Test
  void aBatchAfterAHoleThatMetAFullDiskIsStoredWhenSentAgain() throws IOException {
    Path dataDir = mount.resolve("data");
    LineBatch afterHole = stamped(A, 1001, 50, "x", 1000, 2000); // ~100 KB, more than the room left
    try (LogStore store = LogStore.open(dataDir, new LogStoreOptions())) {
      store.append(stamped(A, 1, 10, "x", 1000, 100));
      store.sync();
      Path filler = fill(16 << 10);
      // lines 11..1000 went to another collector, which vouches for them: a hole, so a new segment
      assertThrows(StoreFullException.class, () -> store.append(afterHole, 1000));
      assertEquals(10, store.lastSeq("aaaa"));

      Files.delete(filler);
      assertEquals(new AppendResult(50, 0, 1050), store.append(afterHole, 1000), "the agent's resend is stored");
      store.sync();
      List<Long> expected = range(1, 10);
      expected.addAll(range(1001, 1050));
      assertEquals(expected, allSeqs(store, "aaaa"));
    }
    try (LogStore store = LogStore.open(dataDir, new LogStoreOptions())) {
      assertEquals(1050, store.lastSeq("aaaa"));
    }
  }

  @Test
  void aGroupOfManyContainersIsStillMadeDurableWhenTheWriteAheadLogHasNoRoom() throws IOException {
    Path dataDir = mount.resolve("data");
    try (LogStore store = LogStore.open(dataDir, new LogStoreOptions())) {
      store.append(stamped(A, 1, 10, "x", 1000, 100));
      store.append(stamped(B, 1, 10, "x", 1000, 100));
      store.sync();
      // room for the segments' new chunks, not for the log's copy of them as well
      long logBytes = StoreLines.writtenBytes(dataDir.resolve(".wal"));
      Path filler = fill(0);
      Files.delete(filler);
      fill(12 << 10);
      store.append(stamped(A, 11, 40, "x", 1000, 100));
      store.append(stamped(B, 11, 40, "x", 1000, 100));
      store.sync();
      assertEquals(logBytes, StoreLines.writtenBytes(dataDir.resolve(".wal")), "the log's write failed and was cut back");
    }
    try (LogStore store = LogStore.open(dataDir, new LogStoreOptions())) {
      assertEquals(range(1, 50), allSeqs(store, "aaaa"));
      assertEquals(range(1, 50), allSeqs(store, "bbbb"));
    }
  }
}
