package io.dockline.routing.impl;

import java.util.ArrayList;
import java.util.List;

/** Which lines one replica of a stream lacks that another holds, from the runs of seqs each holds. Pure logic. */
public final class MissingLines {
  private MissingLines() {}

  /**
   * The runs {first, last} held by {@code source} and not by {@code target}, up to {@code through} (the
   * target's last seq: what comes after reaches it by the writes themselves), in order.
   *
   * @param source runs of seqs, in order, not overlapping
   * @param target runs of seqs, in order, not overlapping
   */
  public static List<long[]> of(List<long[]> source, List<long[]> target, long through) {
    List<long[]> missing = new ArrayList<>();
    int t = 0;
    for (long[] run : source) {
      long next = run[0];
      long end = Math.min(run[1], through);
      while (next <= end) {
        while (t < target.size() && target.get(t)[1] < next) t++;
        if (t == target.size() || target.get(t)[0] > end) {
          missing.add(new long[] {next, end});
          break;
        }
        long[] held = target.get(t);
        if (held[0] > next) missing.add(new long[] {next, held[0] - 1});
        next = held[1] + 1;
      }
    }
    return missing;
  }

  /** How many lines the runs hold. */
  public static long count(List<long[]> runs) {
    long n = 0;
    for (long[] r : runs) n += r[1] - r[0] + 1;
    return n;
  }
}
