package io.dockline.collector;

import java.util.List;

/**
 * What one {@link LogStore#retain} run deleted, by reason: bytes on disk and whole segments.
 *
 * @param goneContainers containers whose every line is now deleted; they left {@link LogStore#containers()}
 * @param unreleasedLines lines deleted that the policy's hold had not released (not yet in Kafka): only the disk
 *     budget deletes them, when nothing else is left to delete
 */
public record RetentionReport(long ageBytes, int ageSegments, long containerCapBytes, int containerCapSegments,
                              long diskBudgetBytes, int diskBudgetSegments, List<String> goneContainers,
                              long unreleasedLines) {
  public RetentionReport {
    goneContainers = List.copyOf(goneContainers);
  }

  public long deletedBytes() { return ageBytes + containerCapBytes + diskBudgetBytes; }

  public int deletedSegments() { return ageSegments + containerCapSegments + diskBudgetSegments; }
}
