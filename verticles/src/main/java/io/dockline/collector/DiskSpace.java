package io.dockline.collector;

import io.dockline.config.Quantities;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file system a collector stores on: its free space against {@code min-free-disk}, and a probe that a
 * write really goes through. Used on the collector's store thread.
 *
 * <p>Free space is read again before a group ({@link #refreshIfDue}) only when it may have reached the floor:
 * once this collector has written half the room it had above {@code min-free-disk} when last read, or after
 * {@link #REFRESH_NANOS} (other processes fill the disk too). With little room left, that is before every
 * group. A write that finds the disk full is caught by the store whatever this says.
 */
final class DiskSpace {
  /** A probe writes this much: room for it is room for a group of batches to start. */
  static final int PROBE_BYTES = 64 << 10;
  /** Free space is read at least this often while groups are written. */
  static final long REFRESH_NANOS = 250_000_000L;

  private final Path dir;
  private final Quantities.FreeDisk minFree;
  private FileStore fileStore;
  private volatile long freeBytes = -1;
  private volatile long totalBytes = -1;
  private long refreshedAt;
  /** Bytes written since free space was last read, as counted by {@link #wrote}. */
  private long writtenSince;

  DiskSpace(Path dir, Quantities.FreeDisk minFree) {
    this.dir = dir;
    this.minFree = minFree;
  }

  /** Reads the file system's free space. */
  void refresh() {
    refreshedAt = System.nanoTime();
    writtenSince = 0;
    try {
      // finding the file store reads the mount table: once, not per group
      if (fileStore == null) fileStore = Files.getFileStore(dir);
      totalBytes = fileStore.getTotalSpace();
      freeBytes = fileStore.getUsableSpace();
    } catch (IOException e) {
      fileStore = null;
      freeBytes = -1;
    }
  }

  /** Reads free space when it may have reached {@code min-free-disk} since it was last read (see above). */
  void refreshIfDue() {
    if (due(freeBytes, minFree.of(Math.max(0, totalBytes)), writtenSince, System.nanoTime() - refreshedAt)) refresh();
  }

  /**
   * Whether free space must be read again: unknown, or {@code written} bytes since it was read at {@code free}
   * may have taken half the room above {@code keep}, or it was read {@code age} nanoseconds ago, too long.
   */
  static boolean due(long free, long keep, long written, long age) {
    return free < 0 || written >= (free - keep) / 2 || age >= REFRESH_NANOS;
  }

  /**
   * This collector stored {@code batch}: counted at most twice (its segment and the write-ahead log) with room
   * for the chunk's line records and headers, an upper bound of what it took of the disk.
   */
  void wrote(LineBatch batch) {
    writtenSince += 2 * (batch.dataLength() + 32L * batch.count() + 4096);
  }

  /** Why writes must stop now (free space below {@code min-free-disk}), or null; after {@link #refresh()}. */
  String belowMinimum() {
    long free = freeBytes;
    long keep = minFree.of(Math.max(0, totalBytes));
    if (free < 0 || free >= keep || keep == 0) return null;
    return "free disk " + free + " bytes is below min-free-disk (" + minFree + " = " + keep + " bytes)";
  }

  /** True when a small file can be written and forced: the disk takes writes again. */
  boolean probe() {
    Path probe = dir.resolve(".probe");
    try {
      try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.allocate(PROBE_BYTES);
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(false);
      }
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException e) {
        // a probe left behind is 64 KiB at most and is overwritten by the next one
      }
    }
  }

  long freeBytes() { return freeBytes; }

  long totalBytes() { return totalBytes; }
}
