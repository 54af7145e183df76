package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tells a write that failed for want of room from other I/O failures. */
final class DiskFull {
  /** Below this much usable space, a failed write is taken for a full disk whatever its message says. */
  private static final long NEARLY_FULL_BYTES = 1L << 20;

  private DiskFull() {}

  /** ENOSPC or EDQUOT (by the message the JDK passes on from the kernel), or a disk with almost no room left. */
  static boolean is(IOException failure, Path dir) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
        return true;
      }
    }
    try {
      return Files.getFileStore(dir).getUsableSpace() < NEARLY_FULL_BYTES;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
