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
 * <p>Hysteresis: a stream stays with its current collector (as published with its load) while that collector
 * is within the bound; only a collector above it hands streams over, and down to the mean plus half the margin
 * ({@code (1 + epsilon / 2) x} the mean), the most a collector may be filled to by streams handed over. A rate that
 * steps up and down inside that band moves nothing, and a stream that moved stays where it went.
 *
 * <p>Every router builds this from the same inputs (the ready collectors, and the published stream loads with
 * their current collectors), in the same order (collectors by name, their streams heaviest first, then by id),
 * so they all reach the same assignment. Immutable.
 */
public final class BoundedLoadRing {
  /** The load a stream counts for even when silent, in bytes per second. */
  public static final double LOAD_FLOOR = 64;

  private final HashRing ring;
  private final double epsilon;
  private final double capacity;
  /** Where streams handed over may fill a collector to: below the bound, so the next small step moves nothing. */
  private final double fillLevel;
  private final Map<String, String> assigned = new HashMap<>();
  private final Map<String, Double> loadOf = new HashMap<>();
  private final Map<String, Double> collectorLoad = new HashMap<>();
  private final Map<String, Integer> collectorStreams = new HashMap<>();
  /**
   * Replica sets worked out so far, by stream: a router asks for one per batch, and a ring lives until loads or
   * members change (a second at the least), so each is worked out about once per ring, not per batch.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, ReplicaSet> replicaSets = new java.util.concurrent.ConcurrentHashMap<>();

  private record ReplicaSet(int factor, List<String> collectors) {}

  private BoundedLoadRing(HashRing ring, Map<String, Double> streamLoads, Map<String, String> current,
                          double epsilon) {
    this.ring = ring;
    this.epsilon = epsilon;
    double total = 0;
    for (double l : streamLoads.values()) total += weight(l);
    int n = ring.members().size();
    double mean = n == 0 ? 0 : total / n;
    this.capacity = (1 + epsilon) * mean;
    this.fillLevel = (1 + epsilon / 2) * mean;
    for (String m : ring.members()) {
      collectorLoad.put(m, 0.0);
      collectorStreams.put(m, 0);
    }
    if (n == 0) return;
    // 1. every stream on its current collector while that one is ready, else on its plain consistent-hash
    //    owner: what a join or leave moves is then about 1/N at most
    Map<String, List<String>> byCollector = new HashMap<>();
    for (String m : ring.members()) byCollector.put(m, new ArrayList<>());
    for (Map.Entry<String, Double> s : streamLoads.entrySet()) {
      String now = current.get(s.getKey());
      String owner = now != null && ring.members().contains(now) ? now : ring.owner(s.getKey());
      place(s.getKey(), weight(s.getValue()), owner);
      byCollector.get(owner).add(s.getKey());
    }
    // 2. a collector above the bound hands its heaviest streams that fit elsewhere to the next collector
    //    clockwise with room, until it is down to the fill level: few streams move, and the same ones whatever
    //    else changed
    for (String m : new java.util.TreeSet<>(ring.members())) {
      if (collectorLoad.get(m) <= capacity) continue;
      List<String> own = byCollector.get(m);
      own.sort((a, b) -> {
        int c = Double.compare(loadOf.get(b), loadOf.get(a));
        return c != 0 ? c : a.compareTo(b);
      });
      for (String stream : own) {
        if (collectorLoad.get(m) <= fillLevel) break;
        double w = loadOf.get(stream);
        String to = roomFor(stream, w, m, fillLevel);
        if (to == null && collectorLoad.get(m) > capacity) to = roomFor(stream, w, m, capacity);
        if (to != null) {
          unplace(stream, w, m);
          place(stream, w, to);
        }
      }
    }
  }

  /** A ring as published by the leader: collectors' loads and the bound as given, owners of some streams only. */
  private BoundedLoadRing(HashRing ring, Map<String, Double> loads, Map<String, Integer> streams,
                          Map<String, String> owners, double capacity, double epsilon) {
    this.ring = ring;
    this.epsilon = epsilon;
    this.capacity = capacity;
    this.fillLevel = capacity; // only building a ring hands streams over
    for (String m : ring.members()) {
      collectorLoad.put(m, loads.getOrDefault(m, 0.0));
      collectorStreams.put(m, streams.getOrDefault(m, 0));
    }
    owners.forEach((stream, owner) -> {
      if (ring.members().contains(owner)) assigned.put(stream, owner);
    });
  }

  /** The first collector clockwise from the stream, other than {@code from}, that takes it staying within limit. */
  private String roomFor(String stream, double w, String from, double limit) {
    for (String other : ring.preference(stream)) {
      if (!other.equals(from) && collectorLoad.get(other) + w <= limit) return other;
    }
    return null;
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
   * A ring with no current assignment (every stream starts from its consistent-hash owner).
   * @param collectors the ready collectors
   * @param streamLoads measured load of every known stream (bytes per second), by stream id
   * @param epsilon how far above the mean a collector may go (0.25: at most 1.25 x the mean)
   */
  public static BoundedLoadRing build(Collection<String> collectors, Map<String, Double> streamLoads,
                                      double epsilon) {
    return build(collectors, streamLoads, Map.of(), epsilon);
  }

  /**
   * @param current the collector each stream is on now, as published with its load (streams missing from it,
   *     or on a collector not in {@code collectors}, start from their consistent-hash owner)
   */
  public static BoundedLoadRing build(Collection<String> collectors, Map<String, Double> streamLoads,
                                      Map<String, String> current, double epsilon) {
    if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
    return new BoundedLoadRing(new HashRing(collectors), streamLoads, current, epsilon);
  }

  /**
   * The ring a router routes by when a leader built it ({@link PublishedRing#view}): {@link #owner} and
   * {@link #replicas} of a stream are what the leader's ring gives, for the streams whose owner is in
   * {@code owners} and for new ones; other streams (with a published load, owner not read) are not known.
   * @param loads each ready collector's load as the leader assigned it (its keys are the ring's collectors)
   * @param streams each collector's stream count
   * @param owners owners of the streams the router forwards; those on a collector not in {@code loads} are dropped
   */
  public static BoundedLoadRing published(Map<String, Double> loads, Map<String, Integer> streams,
                                          Map<String, String> owners, double capacity, double epsilon) {
    return new BoundedLoadRing(new HashRing(loads.keySet()), loads, streams, owners, capacity, epsilon);
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

  /**
   * The ordered replica set of a stream: its {@link #owner} first, then the next distinct collectors clockwise
   * from the stream's hash, skipping those whose own streams already put them above the bound while another
   * has room; at most {@code factor} collectors, fewer when fewer are ready. Every router computes the same
   * set from the same inputs. Empty when no collector is ready.
   */
  public List<String> replicas(String stream, int factor) {
    ReplicaSet known = replicaSets.get(stream);
    if (known != null && known.factor() == factor) return known.collectors();
    List<String> set = replicaSet(stream, factor);
    replicaSets.put(stream, new ReplicaSet(factor, set));
    return set;
  }

  private List<String> replicaSet(String stream, int factor) {
    String owner = owner(stream);
    if (owner == null) return List.of();
    List<String> set = new ArrayList<>(factor);
    set.add(owner);
    List<String> overBound = new ArrayList<>();
    for (String m : ring.preference(stream)) {
      if (set.size() >= factor) break;
      if (m.equals(owner)) continue;
      if (collectorLoad.get(m) > capacity) overBound.add(m);
      else set.add(m);
    }
    for (String m : overBound) {
      if (set.size() >= factor) break;
      set.add(m);
    }
    return Collections.unmodifiableList(set);
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
