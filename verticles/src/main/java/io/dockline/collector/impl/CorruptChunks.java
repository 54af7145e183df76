package io.dockline.collector.impl;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The damaged chunks a store has met, each counted once however often it is read past. Any thread. */
final class CorruptChunks {
  private static final System.Logger LOG = System.getLogger(CorruptChunks.class.getName());
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  void found(String containerId, long segmentKey, long position, String why) {
    if (seen.add(containerId + "/" + segmentKey + "@" + position)) {
      LOG.log(System.Logger.Level.WARNING, "container " + containerId + ": skipping a damaged chunk in "
          + SegmentNames.of(segmentKey) + " at byte " + position + " (" + why + "); its lines are a hole");
    }
  }

  long count() { return seen.size(); }
}
