package io.dockline.collector;

import java.util.List;

/**
 * What one {@link LogStore#retain} run deleted, by reason: bytes on disk and whole segments.
 *
 * @param goneContainers containers whose every line is now deleted; they left {@link LogStore#containers()}
 */
public record RetentionReport(long ageBytes, int ageSegments, long containerCapBytes, int containerCapSegments,
                              long diskBudgetBytes, int diskBudgetSegments, List<String> goneContainers) {
  public RetentionReport {
    goneContainers = List.copyOf(goneContainers);
  }

  public long deletedBytes() { return ageBytes + containerCapBytes + diskBudgetBytes; }

  public int deletedSegments() { return ageSegments + containerCapSegments + diskBudgetSegments; }
}
