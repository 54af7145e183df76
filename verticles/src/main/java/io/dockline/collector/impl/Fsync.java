package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync of things that are not held open: a directory (to persist new and renamed entries) or a file. */
final class Fsync {
  private Fsync() {}

  /** On Linux a directory opened for reading can be fsynced; that makes created and renamed entries durable. */
  static void directory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  static void file(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      channel.force(false);
    }
  }
}
