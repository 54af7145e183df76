package io.dockline.collector.impl;

import java.util.Arrays;

/**
 * Where chunks start in a segment, one entry per {@link #INTERVAL_BYTES} or so, so a read near the end
 * of a large segment starts a few chunks before its target instead of at byte 0. Filled in file order,
 * by appends, the recovery scan, or reads walking headers; costs a few KiB per 64 MiB segment. Readers on
 * several threads fill it concurrently, hence synchronized.
 */
final class SparseChunkIndex {
  static final long INTERVAL_BYTES = 256 << 10;

  private long[] firstSeqs = new long[16];
  private long[] positions = new long[16];
  private int size;
  /** Where the first chunk starts: after the segment's header. */
  private final long dataStart;

  SparseChunkIndex(long dataStart) {
    this.dataStart = dataStart;
  }

  /**
   * Called with chunk starts walked in file order from an indexed position (or 0); keeps those far
   * enough past the last entry, so entries stay sorted and no stretch between them exceeds the interval
   * by more than one chunk.
   */
  synchronized void chunkAt(long firstSeq, long position) {
    if (size > 0 && position - positions[size - 1] < INTERVAL_BYTES) return;
    if (size == firstSeqs.length) {
      firstSeqs = Arrays.copyOf(firstSeqs, size * 2);
      positions = Arrays.copyOf(positions, size * 2);
    }
    firstSeqs[size] = firstSeq;
    positions[size] = position;
    size++;
  }

  /** The start of the last indexed chunk whose first seq is at most {@code seq} (the first chunk's when none). */
  synchronized long positionAtOrBefore(long seq) {
    int i = Arrays.binarySearch(firstSeqs, 0, size, seq);
    if (i >= 0) return positions[i];
    int before = -i - 2;
    return before < 0 ? dataStart : positions[before];
  }
}
