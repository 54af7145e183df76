package io.dockline.collector;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Entries of the cluster map {@link io.dockline.wire.Addresses#COLLECTOR_REGISTRY_MAP}: node name to
 * {@code {"node", "ready", "readable", "since", "memberId", "disk"}}, written by each collector once its store
 * is open and renewed with a TTL. The map is readable and writable by any cluster member (or any process that
 * joins Hazelcast), so an entry is believed only while the member that wrote it is in the cluster.
 *
 * <p>Two states: {@code ready} is write-ready (routers send batches to it; the name older routers read), and
 * {@code readable} is read-ready (it serves what it holds; the gateway reads from it, routers ask it for a
 * stream's last seq). A collector short of disk is readable and not ready. An entry without {@code readable}
 * (written by an older collector) is readable when ready. {@code disk} is the collector's disk use, shown by
 * {@code /api/ring}. {@code ringFormat} (absent in older collectors) is the format of the ring this collector
 * builds and publishes when it is the ring leader ({@link #ringLeader}).
 */
public final class CollectorRegistry {
  private CollectorRegistry() {}

  /** The entry of a collector that takes writes; {@code memberId} is its cluster member id. */
  public static JsonObject entry(String node, String memberId) {
    return entry(node, memberId, true, new JsonObject());
  }

  /** The entry of a collector that serves reads and, when {@code writable}, takes writes. */
  public static JsonObject entry(String node, String memberId, boolean writable, JsonObject disk) {
    JsonObject e = new JsonObject().put("node", node).put("ready", writable).put("readable", true)
        .put("since", System.currentTimeMillis()).put("disk", disk)
        .put("ringFormat", io.dockline.routing.PublishedRing.FORMAT);
    if (memberId != null) e.put("memberId", memberId);
    return e;
  }

  /** {@link #ready(Map, Set)} against this Vert.x instance's current cluster membership. */
  public static Set<String> ready(io.vertx.core.Vertx vertx, Map<String, JsonObject> entries) {
    return ready(entries, members(vertx));
  }

  /** {@link #readable(Map, Set)} against this Vert.x instance's current cluster membership. */
  public static Set<String> readable(io.vertx.core.Vertx vertx, Map<String, JsonObject> entries) {
    return readable(entries, members(vertx));
  }

  /**
   * The collectors batches may go to: entries saying ready whose {@code memberId} is a current member. An entry
   * of a member that left (crashed, or a process that wrote it and went away) is ignored at once, though it
   * stays in the map until its TTL; so is one without a member id. {@code members} null means no cluster
   * (a single Vert.x instance): every ready entry is then its own.
   */
  public static Set<String> ready(Map<String, JsonObject> entries, Set<String> members) {
    return alive(entries, members, "ready");
  }

  /** The collectors reads go to: like {@link #ready(Map, Set)}, by the entry's {@code readable}. */
  public static Set<String> readable(Map<String, JsonObject> entries, Set<String> members) {
    return alive(entries, members, "readable");
  }

  /**
   * The collector that builds and publishes the cluster's ring: the first by name of the live collectors (ready
   * or not) able to; null when none is (a cluster of the release before: each router builds the ring itself).
   */
  public static String ringLeader(Map<String, JsonObject> entries, Set<String> members) {
    String leader = null;
    for (Map.Entry<String, JsonObject> e : entries.entrySet()) {
      JsonObject entry = e.getValue();
      String memberId = entry.getString("memberId");
      boolean alive = members == null || (memberId != null && members.contains(memberId));
      if (alive && entry.getInteger("ringFormat", 0) >= io.dockline.routing.PublishedRing.FORMAT
          && (leader == null || e.getKey().compareTo(leader) < 0)) {
        leader = e.getKey();
      }
    }
    return leader;
  }

  /** This Vert.x instance's cluster members' ids; null when it is not clustered. */
  public static Set<String> members(io.vertx.core.Vertx vertx) {
    io.vertx.core.spi.cluster.ClusterManager cm = ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
    return cm == null ? null : new java.util.HashSet<>(cm.getNodes());
  }

  private static Set<String> alive(Map<String, JsonObject> entries, Set<String> members, String state) {
    Set<String> out = new TreeSet<>();
    entries.forEach((node, entry) -> {
      String memberId = entry.getString("memberId");
      boolean alive = members == null || (memberId != null && members.contains(memberId));
      boolean in = entry.getBoolean(state, "readable".equals(state) && entry.getBoolean("ready", false));
      if (in && alive) out.add(node);
    });
    return out;
  }
}
