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
  private final FileChannel channel;
  private final SparseChunkIndex index;
  private long size;
  private boolean unsynced;

  private SegmentWriter(long firstSeq, FileChannel channel, long size, SparseChunkIndex index, boolean unsynced) {
    this.firstSeq = firstSeq;
    this.channel = channel;
    this.size = size;
    this.index = index;
    this.unsynced = unsynced;
  }

  static SegmentWriter create(Path containerDir, long firstSeq) throws IOException {
    FileChannel channel = FileChannel.open(containerDir.resolve(SegmentNames.of(firstSeq)),
        StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new SegmentWriter(firstSeq, channel, 0, new SparseChunkIndex(), true);
  }

  /** Continues a recovered segment whose valid chunks end at {@code size}. */
  static SegmentWriter resume(long firstSeq, FileChannel channel, long size, SparseChunkIndex index,
                              boolean unsynced) {
    return new SegmentWriter(firstSeq, channel, size, index, unsynced);
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
      channel.force(false);
      unsynced = false;
    }
  }

  void close() throws IOException {
    channel.close();
  }
}
