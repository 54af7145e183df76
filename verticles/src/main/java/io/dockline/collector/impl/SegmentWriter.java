package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The open segment a container appends to. Writes are positional at the tracked end, so a failed
 * write never shifts where the next chunk goes; reads of this segment use the same channel.
 */
final class SegmentWriter {
  private final long firstSeq;
  private final Path path;
  private final FileChannel channel;
  private final Fsync fsync;
  private final SparseChunkIndex index;
  private long size;
  private boolean unsynced;

  private SegmentWriter(long firstSeq, Path path, FileChannel channel, long size, SparseChunkIndex index,
                        boolean unsynced, Fsync fsync) {
    this.firstSeq = firstSeq;
    this.path = path;
    this.channel = channel;
    this.fsync = fsync;
    this.size = size;
    this.index = index;
    this.unsynced = unsynced;
  }

  static SegmentWriter create(Path containerDir, long firstSeq, Fsync fsync) throws IOException {
    Path path = containerDir.resolve(SegmentNames.of(firstSeq));
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    return new SegmentWriter(firstSeq, path, channel, 0, new SparseChunkIndex(), true, fsync);
  }

  /** Continues a recovered segment whose valid chunks end at {@code size}. */
  static SegmentWriter resume(long firstSeq, Path path, FileChannel channel, long size, SparseChunkIndex index,
                              boolean unsynced, Fsync fsync) {
    return new SegmentWriter(firstSeq, path, channel, size, index, unsynced, fsync);
  }

  long firstSeq() { return firstSeq; }

  long size() { return size; }

  FileChannel channel() { return channel; }

  /** Every chunk appended or recovered is in it; it stays valid after the segment is sealed. */
  SparseChunkIndex index() { return index; }

  void append(ByteBuffer chunk, long chunkFirstSeq) throws IOException {
    long start = size;
    size = FileAppend.write(channel, chunk, start);
    index.chunkAt(chunkFirstSeq, start);
    unsynced = true;
  }

  void force() throws IOException {
    if (unsynced) {
      fsync.channel(channel, path);
      unsynced = false;
    }
  }

  void close() throws IOException {
    channel.close();
  }
}
