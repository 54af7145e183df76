package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Appends that happen whole or not at all: a write that fails halfway is cut off again at once. */
final class FileAppend {
  private FileAppend() {}

  /** Writes all of {@code bytes} at {@code end} (positional, so a failure never moves the next write); returns the new end. */
  static long write(FileChannel channel, ByteBuffer bytes, long end) throws IOException {
    long position = end;
    try {
      while (bytes.hasRemaining()) position += channel.write(bytes, position);
    } catch (IOException e) {
      // rather than leave the partial write for recovery to find
      try {
        channel.truncate(end);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return position;
  }
}
