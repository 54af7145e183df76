package io.dockline.collector;

import io.dockline.config.Quantities;
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
 */
final class DiskSpace {
  /** A probe writes this much: room for it is room for a group of batches to start. */
  static final int PROBE_BYTES = 64 << 10;

  private final Path dir;
  private final Quantities.FreeDisk minFree;
  private FileStore fileStore;
  private volatile long freeBytes = -1;
  private volatile long totalBytes = -1;

  DiskSpace(Path dir, Quantities.FreeDisk minFree) {
    this.dir = dir;
    this.minFree = minFree;
  }

  /** Reads the file system's free space (one statfs: cheap enough for every group). */
  void refresh() {
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
