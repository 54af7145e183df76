package io.dockline.collector.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * Which lines of a backfill a container takes: those in a hole below its last seq (before its first held line,
 * or between two held ranges), never one it holds, one above its last seq (appends bring those, in order) or
 * one a purge deleted. Each part is a run of consecutive seqs that becomes a segment of its own. Pure logic.
 */
final class BackfillPlan {
  private BackfillPlan() {}

  /**
   * @param held the container's held ranges {first, last}, in seq order, not overlapping
   * @param purgedThrough lines up to this seq were deleted by a purge and stay deleted (0: none)
   * @param lastSeq the container's last seq
   * @param from first seq of the backfill
   * @param to last seq of the backfill
   * @return the parts to write, {first, last}, in seq order
   */
  static List<long[]> parts(List<long[]> held, long purgedThrough, long lastSeq, long from, long to) {
    List<long[]> parts = new ArrayList<>();
    long next = Math.max(from, purgedThrough + 1); // the lowest seq not yet decided
    long end = Math.min(to, lastSeq);
    for (long[] range : held) {
      if (next > end) break;
      if (range[1] < next) continue;
      if (range[0] > next) parts.add(new long[] {next, Math.min(end, range[0] - 1)});
      next = Math.max(next, range[1] + 1);
    }
    if (next <= end) parts.add(new long[] {next, end});
    return parts;
  }
}
