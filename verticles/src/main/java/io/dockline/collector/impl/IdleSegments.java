package io.dockline.collector.impl;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The containers whose active segment may be open, in the order they were last written, so the writer thread
 * releases the files of those quiet for a while ({@link ContainerLog#releaseSegment}) without looking at the
 * others: a collector fed by thousands of short-lived containers then holds files open for those that write,
 * not for every one that wrote within the hour before its segment seals. Writer thread only.
 */
final class IdleSegments {
  private final long idleNanos;
  /** Insertion order is last-written order: a write moves its container to the end. */
  private final Map<ContainerLog, Long> lastWritten = new LinkedHashMap<>();

  IdleSegments(java.time.Duration idle) {
    this.idleNanos = idle.toNanos();
  }

  void written(ContainerLog log, long nowNanos) {
    lastWritten.remove(log);
    lastWritten.put(log, nowNanos);
  }

  void forget(ContainerLog log) {
    lastWritten.remove(log);
  }

  /** Releases the segment files of the containers not written for the idle time. */
  void releaseIdle(long nowNanos) throws IOException {
    Iterator<Map.Entry<ContainerLog, Long>> oldestFirst = lastWritten.entrySet().iterator();
    while (oldestFirst.hasNext()) {
      Map.Entry<ContainerLog, Long> entry = oldestFirst.next();
      if (nowNanos - entry.getValue() < idleNanos) return;
      entry.getKey().releaseSegment();
      oldestFirst.remove();
    }
  }
}
