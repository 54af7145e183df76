package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Appends that happen whole or not at all: a write that fails halfway is cut off again at once. */
final class FileAppend {
  private FileAppend() {}

  /** Writes all of {@code bytes} at {@code end} (positional, so a failure never moves the next write); returns the new end. */
  static long write(FileChannel channel, ByteBuffer bytes, long end) throws IOException {
    return write(channel, bytes, end, end);
  }

  /**
   * Writes all of {@code bytes} at {@code position}, at or before the file's end {@code end} (a direct write
   * starts at the block the end is in); a failure cuts the file back to {@code end}. Returns where the
   * written bytes end.
   */
  static long write(FileChannel channel, ByteBuffer bytes, long position, long end) throws IOException {
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
