package io.dockline.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, 2018): a stream goes to the first
 * collector clockwise from its hash that has room, where no collector may take more than
 * {@code (1 + epsilon) x} the mean load. Loads are measured (bytes per second per stream, plus a small floor
 * so idle streams are spread by count too), not stream counts.
 *
 * <p>Every router builds this from the same inputs (the ready collectors and the published stream loads),
 * in the same order (heaviest stream first, then by id), so they all reach the same assignment. Immutable.
 */
public final class BoundedLoadRing {
  /** The load a stream counts for even when silent, in bytes per second. */
  public static final double LOAD_FLOOR = 64;

  private final HashRing ring;
  private final double epsilon;
  private final double capacity;
  private final Map<String, String> assigned = new HashMap<>();
  private final Map<String, Double> loadOf = new HashMap<>();
  private final Map<String, Double> collectorLoad = new HashMap<>();
  private final Map<String, Integer> collectorStreams = new HashMap<>();

  private BoundedLoadRing(HashRing ring, Map<String, Double> streamLoads, double epsilon) {
    this.ring = ring;
    this.epsilon = epsilon;
    double total = 0;
    for (double l : streamLoads.values()) total += weight(l);
    int n = ring.members().size();
    this.capacity = n == 0 ? 0 : (1 + epsilon) * total / n;
    for (String m : ring.members()) {
      collectorLoad.put(m, 0.0);
      collectorStreams.put(m, 0);
    }
    if (n == 0) return;
    // 1. every stream on its plain consistent-hash owner: what a join or leave moves is then about 1/N
    Map<String, List<String>> byCollector = new HashMap<>();
    for (String m : ring.members()) byCollector.put(m, new ArrayList<>());
    for (Map.Entry<String, Double> s : streamLoads.entrySet()) {
      String owner = ring.owner(s.getKey());
      place(s.getKey(), weight(s.getValue()), owner);
      byCollector.get(owner).add(s.getKey());
    }
    // 2. a collector above the bound hands its heaviest streams that fit elsewhere to the next collector
    //    clockwise with room: few streams move, and the same ones whatever else changed
    for (String m : new java.util.TreeSet<>(ring.members())) {
      if (collectorLoad.get(m) <= capacity) continue;
      List<String> own = byCollector.get(m);
      own.sort((a, b) -> {
        int c = Double.compare(loadOf.get(b), loadOf.get(a));
        return c != 0 ? c : a.compareTo(b);
      });
      for (String stream : own) {
        if (collectorLoad.get(m) <= capacity) break;
        double w = loadOf.get(stream);
        for (String other : ring.preference(stream)) {
          if (!other.equals(m) && collectorLoad.get(other) + w <= capacity) {
            unplace(stream, w, m);
            place(stream, w, other);
            break;
          }
        }
      }
    }
  }

  private void place(String stream, double w, String collector) {
    assigned.put(stream, collector);
    loadOf.put(stream, w);
    collectorLoad.merge(collector, w, Double::sum);
    collectorStreams.merge(collector, 1, Integer::sum);
  }

  private void unplace(String stream, double w, String collector) {
    assigned.remove(stream);
    collectorLoad.merge(collector, -w, Double::sum);
    collectorStreams.merge(collector, -1, Integer::sum);
  }

  /**
   * @param collectors the ready collectors
   * @param streamLoads measured load of every known stream (bytes per second), by stream id
   * @param epsilon how far above the mean a collector may go (0.25: at most 1.25 x the mean)
   */
  public static BoundedLoadRing build(Collection<String> collectors, Map<String, Double> streamLoads,
                                      double epsilon) {
    if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
    return new BoundedLoadRing(new HashRing(collectors), streamLoads, epsilon);
  }

  private static double weight(double bytesPerSecond) {
    return LOAD_FLOOR + Math.max(0, bytesPerSecond);
  }

  /**
   * The collector of a stream: the assigned one for a stream with a published load; a new stream (not yet
   * measured) goes to the first collector clockwise that is not full. Null when no collector is ready.
   */
  public String owner(String stream) {
    String a = assigned.get(stream);
    if (a != null || ring.isEmpty()) return a;
    for (String m : ring.preference(stream)) {
      if (collectorLoad.get(m) + LOAD_FLOOR <= capacity) return m;
    }
    return ring.owner(stream);
  }

  public Set<String> members() { return ring.members(); }

  public boolean isEmpty() { return ring.isEmpty(); }

  public double epsilon() { return epsilon; }

  /** The most any collector may take: (1 + epsilon) x the mean. */
  public double capacity() { return capacity; }

  /** The summed load of the streams assigned to the collector. */
  public double load(String collector) { return collectorLoad.getOrDefault(collector, 0.0); }

  public int streamCount(String collector) { return collectorStreams.getOrDefault(collector, 0); }

  /** The streams with a published load, and their owners. */
  public Map<String, String> assignments() { return Collections.unmodifiableMap(assigned); }
}
