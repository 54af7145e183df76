package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of walking a segment chunk by chunk: where its valid chunks end, what they hold, and the
 * damaged chunks in between (holes). Only damage with no valid chunk after it is a torn tail.
 */
final class SegmentScan {
  private final SegmentHeader header;
  private final long validEnd;
  private final long lastSeq;
  private final SparseChunkIndex index;
  private final SegmentStats stats;
  private final List<Long> holes;
  private final String problem;

  private SegmentScan(SegmentHeader header, long validEnd, long lastSeq, SparseChunkIndex index, SegmentStats stats,
                      List<Long> holes, String problem) {
    this.header = header;
    this.validEnd = validEnd;
    this.lastSeq = lastSeq;
    this.index = index;
    this.stats = stats;
    this.holes = holes;
    this.problem = problem;
  }

  /**
   * Verifies every chunk (header, CRC, lengths, seqs rising) of the segment named after {@code nameSeq}. A
   * chunk that fails is skipped when a valid chunk follows it, else the scan stops there: where a crash cut the
   * segment.
   */
  static SegmentScan of(FileChannel channel, long nameSeq, ChunkReader reader) throws IOException {
    long size = channel.size();
    SegmentHeader segmentHeader = SegmentHeader.read(channel, nameSeq);
    SparseChunkIndex index = new SparseChunkIndex(segmentHeader.dataStart);
    SegmentStats stats = new SegmentStats();
    List<Long> holes = new ArrayList<>();
    ChunkHeader header = new ChunkHeader();
    if (size < segmentHeader.dataStart) {
      return new SegmentScan(segmentHeader, 0, segmentHeader.baseSeq, index, stats, holes, "cut short inside the header");
    }
    long position = segmentHeader.dataStart;
    long nextSeq = segmentHeader.baseSeq + 1;
    String problem = null;
    reader.attach(channel, size);
    try {
      while (position < size) {
        int body;
        try {
          reader.readHeader(position, header);
          if (header.firstSeq < nextSeq) {
            throw new CorruptChunkException("chunk at byte " + position + " starts at seq " + header.firstSeq
                + ", expected " + nextSeq + " or later");
          }
          body = reader.loadBody(header);
        } catch (CorruptChunkException e) {
          long next = reader.findNext(position + 1, nextSeq, header);
          if (next < 0) {
            problem = e.getMessage();
            break;
          }
          holes.add(position);
          position = next;
          body = reader.loadBody(header);
        }
        index.chunkAt(header.firstSeq, position);
        stats.addChunk(reader.bodyBytes(), body, header.firstSeq, header.count);
        position = header.endPosition();
        nextSeq = header.lastSeq() + 1;
      }
    } finally {
      reader.detach();
    }
    return new SegmentScan(segmentHeader, position, nextSeq - 1, index, stats, holes, problem);
  }

  SegmentHeader header() { return header; }

  long validEnd() { return validEnd; }

  /** The last seq of the last valid chunk; the header's baseSeq when none is valid. */
  long lastSeq() { return lastSeq; }

  SparseChunkIndex index() { return index; }

  SegmentStats stats() { return stats; }

  /** Positions of damaged chunks followed by valid ones. */
  List<Long> holes() { return holes; }

  /** Why the scan stopped before the end of the file, or null. */
  String problem() { return problem; }
}
