package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;

/** The outcome of walking a segment chunk by chunk up to its first bad or missing chunk. */
final class SegmentScan {
  private final long validEnd;
  private final long lastSeq;
  private final SparseChunkIndex index;
  private final String problem;

  private SegmentScan(long validEnd, long lastSeq, SparseChunkIndex index, String problem) {
    this.validEnd = validEnd;
    this.lastSeq = lastSeq;
    this.index = index;
    this.problem = problem;
  }

  /**
   * Verifies every chunk (header, CRC, lengths, and that seqs run on from {@code firstSeq} without a
   * break) and stops at the first that fails, which is where a crash cut the segment.
   */
  static SegmentScan of(FileChannel channel, long firstSeq, ChunkReader reader) throws IOException {
    long size = channel.size();
    SparseChunkIndex index = new SparseChunkIndex();
    ChunkHeader header = new ChunkHeader();
    long position = 0;
    long nextSeq = firstSeq;
    String problem = null;
    reader.attach(channel, size);
    try {
      while (position < size) {
        try {
          reader.readHeader(position, header);
          if (header.firstSeq != nextSeq) {
            throw new CorruptChunkException("chunk at byte " + position + " starts at seq " + header.firstSeq
                + ", expected " + nextSeq);
          }
          reader.loadBody(header);
        } catch (CorruptChunkException e) {
          problem = e.getMessage();
          break;
        }
        index.chunkAt(header.firstSeq, position);
        position = header.endPosition();
        nextSeq = header.lastSeq() + 1;
      }
    } finally {
      reader.detach();
    }
    return new SegmentScan(position, nextSeq - 1, index, problem);
  }

  long validEnd() { return validEnd; }

  /** The last seq of the last valid chunk; {@code firstSeq - 1} when none is valid. */
  long lastSeq() { return lastSeq; }

  SparseChunkIndex index() { return index; }

  /** Why the scan stopped before the end of the file, or null. */
  String problem() { return problem; }
}
