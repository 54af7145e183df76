package io.dockline.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per container, what this collector holds durably and how far it received the stream as its first replica:
 * the collector's store thread writes them once a group is synced, the publisher reads them.
 */
public final class StoredMarks {
  private final Map<String, Long> durable = new ConcurrentHashMap<>();
  private final Map<String, Long> primary = new ConcurrentHashMap<>();
  /** Lines made durable since start, counted from each container's first mark (the ingest rate's source). */
  private final AtomicLong advanced = new AtomicLong();

  /** The container's lines through {@code seq} are durable here; {@code first}: it came as the first replica. */
  public void stored(String containerId, long seq, boolean first) {
    long[] gained = new long[1];
    durable.compute(containerId, (id, before) -> {
      if (before == null) return seq;
      if (seq > before) gained[0] = seq - before;
      return Math.max(before, seq);
    });
    if (gained[0] > 0) advanced.addAndGet(gained[0]);
    if (first) primary.merge(containerId, seq, Math::max);
  }

  /** Lines made durable here since start (a container's first mark, at start or when it is new, not counted). */
  public long advanced() {
    return advanced.get();
  }

  /** The highest durable seq of the container here (0: none known). */
  public long durable(String containerId) {
    return durable.getOrDefault(containerId, 0L);
  }

  /** The highest seq received as the container's first replica since this collector started (0: none). */
  public long primary(String containerId) {
    return primary.getOrDefault(containerId, 0L);
  }

  /** Every container with a durable line here. */
  public java.util.Set<String> containers() {
    return durable.keySet();
  }

  /** A container retention removed whole. */
  public void forget(String containerId) {
    durable.remove(containerId);
    primary.remove(containerId);
  }
}
