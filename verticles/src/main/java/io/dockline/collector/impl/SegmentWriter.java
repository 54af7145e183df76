package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The segment a container appends to. Writes are positional at the tracked end, so a failed write never
 * shifts where the next chunk goes; reads of this segment use the same channel, or, when it is written around
 * the page cache ({@link DirectWrites}), one of their own. A quiet container's file
 * is {@link #release released} (forced, then closed) and reopened by the next append, so open files follow
 * the containers that write, not those that ever wrote. The channel changes only under the container's
 * write lock, and readers hold its read lock.
 */
final class SegmentWriter {
  private final long key;
  private final long baseSeq;
  private final int dataStart;
  private final Path path;
  /** Null while released. */
  private FileChannel channel;
  private final Fsync fsync;
  private final SparseChunkIndex index;
  private final SegmentStats stats;
  private long size;
  private boolean unsynced;
  /** Appends around the page cache, while the file is open; null when written through {@link #channel}. */
  private DirectWrites.Appender direct;

  private SegmentWriter(long key, long baseSeq, int dataStart, Path path, FileChannel channel, long size,
                        SparseChunkIndex index, SegmentStats stats, boolean unsynced, Fsync fsync) {
    this.key = key;
    this.baseSeq = baseSeq;
    this.dataStart = dataStart;
    this.path = path;
    this.channel = channel;
    this.fsync = fsync;
    this.size = size;
    this.index = index;
    this.stats = stats;
    this.unsynced = unsynced;
  }

  /**
   * A new segment for lines from {@code firstSeq} on, named after it, with the current format's header. A
   * failure (a full disk) leaves no file behind.
   */
  static SegmentWriter create(Path containerDir, long firstSeq, Fsync fsync) throws IOException {
    return create(containerDir, firstSeq, 0, fsync);
  }

  /**
   * An empty segment after a purge took every line: its header keeps where the container's lines ended
   * ({@code lastSeq}), which a reopen then restores.
   */
  static SegmentWriter createTrimmed(Path containerDir, long lastSeq, Fsync fsync) throws IOException {
    return create(containerDir, lastSeq + 1, SegmentHeader.FLAG_TRIMMED, fsync);
  }

  private static SegmentWriter create(Path containerDir, long firstSeq, int flags, Fsync fsync) throws IOException {
    Path path = containerDir.resolve(SegmentNames.of(firstSeq));
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    long size;
    try {
      size = FileAppend.write(channel, SegmentHeader.encode(flags, firstSeq - 1), 0);
    } catch (IOException e) {
      channel.close();
      Files.deleteIfExists(path);
      throw e;
    }
    return new SegmentWriter(firstSeq, firstSeq - 1, SegmentHeader.BYTES, path, channel, size,
        new SparseChunkIndex(SegmentHeader.BYTES), new SegmentStats(), true, fsync);
  }

  /** Continues a recovered (or rewritten) segment as its scan found it. */
  static SegmentWriter resume(long key, Path path, FileChannel channel, SegmentScan scan, boolean unsynced,
                              Fsync fsync) {
    return new SegmentWriter(key, scan.header().baseSeq, scan.header().dataStart, path, channel, scan.validEnd(),
        scan.index(), scan.stats(), unsynced, fsync);
  }

  /** The seq the file is named after. */
  long key() { return key; }

  /** The first seq this segment can hold: lines above its header's baseSeq. */
  long firstSeq() { return baseSeq + 1; }

  long baseSeq() { return baseSeq; }

  int dataStart() { return dataStart; }

  Path path() { return path; }

  long size() { return size; }

  /** No chunk written yet. */
  boolean isEmpty() { return size <= dataStart; }

  /** Whether its file is open: not {@link #release released} or closed. */
  boolean isOpen() { return channel != null || direct != null; }

  /** How a segment's file is read; see {@link #read}. */
  @FunctionalInterface
  interface ChannelRead {
    void read(FileChannel channel) throws IOException;
  }

  /**
   * Reads the file through its own channel, or, while released or written around the page cache, one opened
   * for this read alone.
   */
  void read(ChannelRead read) throws IOException {
    if (channel != null) {
      read.read(channel);
      return;
    }
    try (FileChannel own = FileChannel.open(path, StandardOpenOption.READ)) {
      read.read(own);
    }
  }

  /** Every chunk appended or recovered is in it; it stays valid after the segment is sealed. */
  SparseChunkIndex index() { return index; }

  SegmentStats stats() { return stats; }

  /**
   * Reopens a released file first. With {@code writes}, the chunk goes around the page cache where the file
   * system allows it ({@link DirectWrites}).
   */
  void append(ByteBuffer chunk, long chunkFirstSeq, DirectWrites writes) throws IOException {
    if (direct == null && writes != null && writes.usable()) openDirect(writes);
    if (direct == null && channel == null) channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long start = size;
    ByteBuffer counted = chunk.duplicate();
    size = direct != null ? direct.write(chunk, start) : FileAppend.write(channel, chunk, start);
    stats.addChunk(counted);
    index.chunkAt(chunkFirstSeq, start);
    unsynced = true;
  }

  /** One file descriptor per segment written: the buffered channel is closed once the direct one is open. */
  private void openDirect(DirectWrites writes) throws IOException {
    if (channel != null) {
      direct = writes.open(path, channel, size);
    } else {
      try (FileChannel tail = FileChannel.open(path, StandardOpenOption.READ)) {
        direct = writes.open(path, tail, size);
      }
    }
    if (direct != null && channel != null) {
      channel.close();
      channel = null;
    }
  }

  void force() throws IOException {
    if (unsynced) {
      fsync.channel(direct != null ? direct.channel() : channel, path);
      unsynced = false;
    }
  }

  /**
   * Forces what it holds, then closes its file until the next {@link #append}. Forced first because a write
   * error the kernel meets after the close would not be reported to an fsync through a channel opened later.
   */
  void release() throws IOException {
    forceWhole();
    close();
  }

  /**
   * Forces it with its file cut to its logical end, without the zeros direct writes leave past it: before it
   * is sealed or released, since a sealed segment is read to its file's end.
   */
  void forceWhole() throws IOException {
    if (direct != null && direct.cut()) unsynced = true;
    force();
  }

  void close() throws IOException {
    try {
      if (direct != null) direct.close();
    } finally {
      direct = null;
      if (channel != null) channel.close();
      channel = null;
    }
  }
}
