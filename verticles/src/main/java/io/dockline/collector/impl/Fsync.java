package io.dockline.collector.impl;

import io.dockline.collector.LogStoreOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Every force of the store goes through here, to the store's {@link LogStoreOptions.Force}: segments, the
 * write-ahead log, meta files and directories. One place, so a test can watch or fail each of them.
 */
final class Fsync {
  private final LogStoreOptions.Force force;

  Fsync(LogStoreOptions.Force force) {
    this.force = force;
  }

  /** Forces the data of an open file (fdatasync). */
  void channel(FileChannel channel, Path file) throws IOException {
    force.force(channel, file, false);
  }

  /** On Linux a directory opened for reading can be fsynced; that makes created and renamed entries durable. */
  void directory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      force.force(channel, dir, true);
    }
  }

  void file(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      force.force(channel, file, false);
    }
  }
}
