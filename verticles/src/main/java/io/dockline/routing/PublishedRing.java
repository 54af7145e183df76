package io.dockline.routing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ring as the ring leader (one collector) built it for the whole cluster, in the cluster map
 * {@link io.dockline.wire.Addresses#RING_MAP} under {@link #KEY}: small whatever the fleet's size (its collectors,
 * their loads and stream counts, the bound), so every router can read it each second. The owner of each stream is
 * in {@link io.dockline.wire.Addresses#RING_OWNERS_MAP}; a router reads only its own streams' owners, and only
 * when {@link #moves} says streams of their hash bucket changed owner (or it cannot tell).
 *
 * <p>JSON {@code {"format": 1, "version", "leader", "leaderMemberId", "epsilon", "capacity",
 * "collectors": [{"node", "memberId", "load", "streams"}], "readable": [{"node", "memberId"}],
 * "moves": [{"version", "buckets": [..]} or {"version", "all": true}]}}. A reader that meets a higher format,
 * or none, builds the ring itself from the registry and the load map as the release before did.
 *
 * @param version raised by every publication (the leader publishes at least every few seconds, so a version
 *     that stops moving means no leader)
 * @param collectors the write-ready collectors, by name
 * @param readable the collectors that serve reads (write-ready ones and those short of disk)
 * @param moves the last {@link #RECENT_MOVES} versions' moved buckets, oldest first; null buckets: too many to list
 */
public record PublishedRing(long version, String leader, String leaderMemberId, double epsilon, double capacity,
                            List<Collector> collectors, List<Member> readable, List<Moves> moves) {
  public static final int FORMAT = 1;
  public static final String KEY = "ring";
  /** Streams are told apart in moves by their hash modulo this. */
  public static final int BUCKETS = 4096;
  static final int RECENT_MOVES = 8;
  /** More buckets than this moved in one version: the version says "all" (every router reads all its owners). */
  static final int MAX_LISTED_BUCKETS = 256;

  /** A write-ready collector with the load and stream count the leader assigned it. */
  public record Collector(String node, String memberId, double load, int streams) {}

  public record Member(String node, String memberId) {}

  /** The buckets of the streams whose owner changed (or that were dropped) in {@code version}; null: any. */
  public record Moves(long version, Set<Integer> buckets) {}

  /** The bucket of a stream in {@link #moves}. */
  public static int bucket(String stream) {
    return (int) Math.floorMod(HashRing.hash(stream), (long) BUCKETS);
  }

  /** The buckets of these streams, or null when more than {@link #MAX_LISTED_BUCKETS}. */
  static Set<Integer> bucketsOf(Collection<String> streams) {
    Set<Integer> out = new HashSet<>();
    for (String s : streams) {
      out.add(bucket(s));
      if (out.size() > MAX_LISTED_BUCKETS) return null;
    }
    return out;
  }

  /**
   * The buckets that moved after {@code known} up to this version; null when it cannot be told (a version in
   * between is no longer listed, or one moved too many): the reader then reads all its streams' owners.
   */
  public Set<Integer> movedSince(long known) {
    if (known == version) return Set.of();
    if (known < 0 || version - known > moves.size()) return null;
    Set<Integer> out = new HashSet<>();
    long expected = known + 1;
    for (Moves m : moves) {
      if (m.version() <= known) continue;
      if (m.version() != expected || m.buckets() == null) return null;
      out.addAll(m.buckets());
      expected++;
    }
    return expected == version + 1 ? out : null;
  }

  /** The moves to publish with the next version: these, then {@code next}, the last {@link #RECENT_MOVES}. */
  static List<Moves> append(List<Moves> recent, Moves next) {
    List<Moves> out = new ArrayList<>(recent);
    out.add(next);
    while (out.size() > RECENT_MOVES) out.remove(0);
    return out;
  }

  /**
   * The ring a router routes by: these collectors (the ones still members; a collector that left drops out at
   * once, its streams then go where a new stream would until the leader publishes again), their published loads,
   * and the owners the router read.
   * @param alive whether a member id is a current cluster member
   */
  public BoundedLoadRing view(java.util.function.Predicate<String> alive, Map<String, String> owners) {
    Map<String, Double> loads = new HashMap<>();
    Map<String, Integer> streams = new HashMap<>();
    for (Collector c : collectors) {
      if (!alive.test(c.memberId())) continue;
      loads.put(c.node(), c.load());
      streams.put(c.node(), c.streams());
    }
    return BoundedLoadRing.published(loads, streams, owners, capacity, epsilon);
  }

  /** The readable collectors that are still members. */
  public Set<String> readable(java.util.function.Predicate<String> alive) {
    Set<String> out = new java.util.TreeSet<>();
    for (Member m : readable) if (alive.test(m.memberId())) out.add(m.node());
    return out;
  }

  /** The header of a ring the leader built: collectors with the loads and stream counts the ring gave them. */
  static PublishedRing of(long version, String leader, String leaderMemberId, BoundedLoadRing ring,
                          Map<String, String> memberIds, Collection<String> readable, List<Moves> moves) {
    List<Collector> cs = new ArrayList<>();
    for (String c : ring.members()) cs.add(new Collector(c, memberIds.get(c), ring.load(c), ring.streamCount(c)));
    List<Member> rs = new ArrayList<>();
    for (String r : readable) rs.add(new Member(r, memberIds.get(r)));
    return new PublishedRing(version, leader, leaderMemberId, ring.epsilon(), ring.capacity(), cs, rs, moves);
  }

  public JsonObject toJson() {
    JsonArray cs = new JsonArray();
    for (Collector c : collectors) {
      cs.add(new JsonObject().put("node", c.node()).put("memberId", c.memberId()).put("load", c.load())
          .put("streams", c.streams()));
    }
    JsonArray rs = new JsonArray();
    for (Member m : readable) rs.add(new JsonObject().put("node", m.node()).put("memberId", m.memberId()));
    JsonArray ms = new JsonArray();
    for (Moves m : moves) {
      JsonObject o = new JsonObject().put("version", m.version());
      if (m.buckets() == null) o.put("all", true);
      else o.put("buckets", new JsonArray(new ArrayList<>(new java.util.TreeSet<>(m.buckets()))));
      ms.add(o);
    }
    return new JsonObject().put("format", FORMAT).put("version", version).put("leader", leader)
        .put("leaderMemberId", leaderMemberId).put("epsilon", epsilon).put("capacity", capacity)
        .put("collectors", cs).put("readable", rs).put("moves", ms);
  }

  /** The ring in the entry, or null when there is none or it is of a format this release does not read. */
  public static PublishedRing fromJson(JsonObject json) {
    if (json == null || json.getInteger("format", 0) != FORMAT) return null;
    List<Collector> cs = new ArrayList<>();
    for (Object o : json.getJsonArray("collectors", new JsonArray())) {
      JsonObject c = (JsonObject) o;
      cs.add(new Collector(c.getString("node"), c.getString("memberId"), c.getDouble("load", 0.0),
          c.getInteger("streams", 0)));
    }
    List<Member> rs = new ArrayList<>();
    for (Object o : json.getJsonArray("readable", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      rs.add(new Member(m.getString("node"), m.getString("memberId")));
    }
    List<Moves> ms = new ArrayList<>();
    for (Object o : json.getJsonArray("moves", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      Set<Integer> buckets = null;
      if (!m.getBoolean("all", false)) {
        buckets = new HashSet<>();
        for (Object b : m.getJsonArray("buckets", new JsonArray())) buckets.add(((Number) b).intValue());
      }
      ms.add(new Moves(m.getLong("version"), buckets));
    }
    return new PublishedRing(json.getLong("version", -1L), json.getString("leader"), json.getString("leaderMemberId"),
        json.getDouble("epsilon", 0.25), json.getDouble("capacity", 0.0), cs, rs, ms);
  }
}
