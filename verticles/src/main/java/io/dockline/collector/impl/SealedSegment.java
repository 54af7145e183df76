package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A segment no longer written: only read, rewritten whole (purge, compaction) or deleted. What it holds is
 * summed once, when it is sealed or first needed, and kept.
 */
final class SealedSegment {
  final long key;
  final Path path;
  final long baseSeq;
  final int dataStart;
  final long bytes;
  /** Rewritten into blocks by the {@link Compactor}. */
  final boolean compacted;
  private SegmentStats stats;
  /** Its blocks, once a whole walk learned them (compacted segments only). */
  private volatile BlockIndex blocks;

  SealedSegment(long key, Path path, long baseSeq, int dataStart, long bytes, boolean compacted, SegmentStats stats) {
    this.key = key;
    this.compacted = compacted;
    this.path = path;
    this.baseSeq = baseSeq;
    this.dataStart = dataStart;
    this.bytes = bytes;
    this.stats = stats;
  }

  /** A sealed file found on open: only its header is read now. */
  static SealedSegment open(long key, Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      SegmentHeader header = SegmentHeader.read(channel, key);
      return new SealedSegment(key, path, header.baseSeq, header.dataStart, channel.size(),
          header.has(SegmentHeader.FLAG_BLOCKS), null);
    }
  }

  long firstSeq() { return baseSeq + 1; }

  /** Its blocks if a walk learned them, else null. */
  BlockIndex blocksIfKnown() { return blocks; }

  void learnBlocks(BlockIndex index) { blocks = index; }

  /** Whether its stats are known without reading it. */
  synchronized boolean hasStats() { return stats != null; }

  /** Its stats if known, else null. */
  synchronized SegmentStats statsIfKnown() { return stats; }

  /** What it holds; scans the file the first time (damaged chunks reported to {@code corrupt}). */
  synchronized SegmentStats stats(String containerId, ChunkReader reader, CorruptChunks corrupt) throws IOException {
    if (stats == null) {
      try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
        SegmentScan scan = SegmentScan.of(channel, key, reader);
        for (long hole : scan.holes()) corrupt.found(containerId, key, hole, "damaged chunk");
        if (scan.problem() != null) corrupt.found(containerId, key, scan.validEnd(), scan.problem());
        stats = scan.stats();
      }
    }
    return stats;
  }
}
