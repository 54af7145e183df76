package io.dockline.routing.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * What one check of a stream's replicas decides, from the runs of seqs each holds. Pure logic.
 *
 * <ul>
 *   <li>A replica lacks what another holds below its own last seq (before its first line, or in a hole): copied
 *       as backfill. One that holds nothing lacks every line: copied as writes from the first.</li>
 *   <li>Lines another holds above a replica's last seq may be on their way to it as writes, or never come (the
 *       set changed and the agent's next batch starts after them; or the stream stopped writing). The first
 *       check of a set that is new, or of a stream new to the check, does not call it whole
 *       ({@link #unproven}): the next check decides. A stream whose highest seq did not move since the
 *       previous check writes no more: what a replica lacks above its last seq is copied to it as writes.</li>
 * </ul>
 *
 * @param copies the copies to start, at most one per replica that lacks lines
 * @param lacking some replica lacks lines another holds
 * @param unproven not known whole yet: to be checked again soon
 * @param highest the highest seq any replica holds (for the next check's comparison)
 */
public record CatchUpPlan(List<Copy> copies, boolean lacking, boolean unproven, long highest) {

  /** Copy the runs {@code runs} from replica {@code source} to replica {@code target} (indexes of the set). */
  public record Copy(int source, int target, List<long[]> runs, boolean asWrites) {}

  /**
   * @param runs per replica of the set, the runs {first, last} it holds, in order; null for a replica that
   *     cannot tell (a release before replication): it is neither source nor target
   * @param firstLook the set is new since the previous check, or the stream was not checked before
   * @param highestBefore the highest seq the previous check saw, 0 when none
   */
  public static CatchUpPlan of(List<List<long[]>> runs, boolean firstLook, long highestBefore) {
    long highest = 0;
    for (List<long[]> r : runs) if (r != null && !r.isEmpty()) highest = Math.max(highest, last(r));
    boolean idle = !firstLook && highest == highestBefore;
    List<Copy> copies = new ArrayList<>();
    boolean lacking = false;
    boolean unproven = false;
    for (int t = 0; t < runs.size(); t++) {
      List<long[]> target = runs.get(t);
      if (target == null) continue;
      boolean empty = target.isEmpty();
      long through = empty ? Long.MAX_VALUE : last(target);
      for (int s = 0; s < runs.size(); s++) {
        List<long[]> source = runs.get(s);
        if (s == t || source == null || source.isEmpty()) continue;
        List<long[]> missing = MissingLines.of(source, target, through);
        if (!missing.isEmpty()) {
          lacking = true;
          // to an empty replica as writes, its first run only: they are in order from its first line on
          copies.add(new Copy(s, t, empty ? missing.subList(0, 1) : missing, empty));
          break;
        }
        if (last(source) > through) {
          if (firstLook) {
            unproven = true;
          } else if (idle) {
            List<long[]> above = MissingLines.of(source, target, Long.MAX_VALUE);
            lacking = true;
            copies.add(new Copy(s, t, above.subList(0, 1), true)); // from its last seq on, in order
            break;
          }
        }
      }
    }
    return new CatchUpPlan(copies, lacking, unproven, highest);
  }

  private static long last(List<long[]> runs) {
    return runs.get(runs.size() - 1)[1];
  }
}
