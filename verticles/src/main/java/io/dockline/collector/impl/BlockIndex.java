package io.dockline.collector.impl;

import java.util.Arrays;

/**
 * Where a compacted segment's blocks lie and what each holds (seqs, the range of its lines' times), learned
 * the first time a walk reads the whole segment, so later time-ordered scans take its blocks one by one and
 * skip those outside their window without decompressing them. Kept with its {@link SealedSegment}, which a
 * rewrite replaces: it never describes another file. About 48 bytes a block (a block is about 1 MiB of text).
 * Immutable once built.
 */
final class BlockIndex {
  private final long[] starts;
  private final long[] ends;
  private final long[] firstSeqs;
  private final long[] lastSeqs;
  private final long[] minTimes;
  private final long[] maxTimes;

  private BlockIndex(Builder b) {
    starts = Arrays.copyOf(b.starts, b.size);
    ends = Arrays.copyOf(b.ends, b.size);
    firstSeqs = Arrays.copyOf(b.firstSeqs, b.size);
    lastSeqs = Arrays.copyOf(b.lastSeqs, b.size);
    minTimes = Arrays.copyOf(b.minTimes, b.size);
    maxTimes = Arrays.copyOf(b.maxTimes, b.size);
  }

  int size() { return starts.length; }

  long start(int i) { return starts[i]; }

  long end(int i) { return ends[i]; }

  long firstSeq(int i) { return firstSeqs[i]; }

  long lastSeq(int i) { return lastSeqs[i]; }

  long minTimeNanos(int i) { return minTimes[i]; }

  long maxTimeNanos(int i) { return maxTimes[i]; }

  /** Whether a block starts at {@code start}, ends at {@code end} and holds seqs {@code first .. last}. */
  boolean has(long start, long end, long first, long last) {
    int i = Arrays.binarySearch(starts, start);
    return i >= 0 && ends[i] == end && firstSeqs[i] == first && lastSeqs[i] == last;
  }

  /** Collects the blocks of one walk over a whole segment, in file order. */
  static final class Builder {
    private long[] starts = new long[8];
    private long[] ends = new long[8];
    private long[] firstSeqs = new long[8];
    private long[] lastSeqs = new long[8];
    private long[] minTimes = new long[8];
    private long[] maxTimes = new long[8];
    private int size;

    void add(ChunkHeader block, long minTimeNanos, long maxTimeNanos) {
      if (size == starts.length) {
        int n = size * 2;
        starts = Arrays.copyOf(starts, n);
        ends = Arrays.copyOf(ends, n);
        firstSeqs = Arrays.copyOf(firstSeqs, n);
        lastSeqs = Arrays.copyOf(lastSeqs, n);
        minTimes = Arrays.copyOf(minTimes, n);
        maxTimes = Arrays.copyOf(maxTimes, n);
      }
      starts[size] = block.position;
      ends[size] = block.endPosition();
      firstSeqs[size] = block.firstSeq;
      lastSeqs[size] = block.lastSeq();
      minTimes[size] = minTimeNanos;
      maxTimes[size] = maxTimeNanos;
      size++;
    }

    BlockIndex build() { return new BlockIndex(this); }
  }
}
