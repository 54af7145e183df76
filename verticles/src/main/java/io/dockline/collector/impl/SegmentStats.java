package io.dockline.collector.impl;

/**
 * What a segment holds, summed while it is written or scanned: retention decides by it (age, the seqs a
 * hold protects) without reading the segment again.
 */
final class SegmentStats {
  long firstSeq;
  long lastSeq;
  long lines;
  long rawBytes;
  long minTimeNanos = Long.MAX_VALUE;
  long maxTimeNanos = Long.MIN_VALUE;

  /** Nothing yet: {@code firstSeq} 0. */
  boolean isEmpty() { return lines == 0; }

  void add(long seq, long timeNanos, int length) {
    if (lines == 0) firstSeq = seq;
    lastSeq = seq;
    lines++;
    rawBytes += length;
    if (timeNanos < minTimeNanos) minTimeNanos = timeNanos;
    if (timeNanos > maxTimeNanos) maxTimeNanos = timeNanos;
  }

  /** Adds the lines of a loaded chunk whose body starts at {@code body} in {@code bytes}. */
  void addChunk(java.nio.ByteBuffer bytes, int body, long firstSeq, int count) {
    for (int i = 0; i < count; i++) {
      int record = body + i * ChunkFormat.LINE_RECORD_BYTES;
      add(firstSeq + i, bytes.getLong(record + ChunkFormat.RECORD_TIME_OFFSET),
          bytes.getInt(record + ChunkFormat.RECORD_LENGTH_OFFSET));
    }
  }

  /** Adds the lines of an encoded chunk positioned at its first byte. */
  void addChunk(java.nio.ByteBuffer chunk) {
    int start = chunk.position();
    addChunk(chunk, start + ChunkFormat.HEADER_BYTES, chunk.getLong(start + ChunkFormat.FIRST_SEQ_OFFSET),
        chunk.getInt(start + ChunkFormat.COUNT_OFFSET));
  }

  long maxTimeMillis() { return Math.floorDiv(maxTimeNanos, 1_000_000L); }

  long minTimeMillis() { return Math.floorDiv(minTimeNanos, 1_000_000L); }

  SegmentStats copy() {
    SegmentStats c = new SegmentStats();
    c.firstSeq = firstSeq;
    c.lastSeq = lastSeq;
    c.lines = lines;
    c.rawBytes = rawBytes;
    c.minTimeNanos = minTimeNanos;
    c.maxTimeNanos = maxTimeNanos;
    return c;
  }
}
