package io.dockline.collector;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Entries of the cluster map {@link io.dockline.wire.Addresses#COLLECTOR_REGISTRY_MAP}: node name to
 * {@code {"node", "ready", "since", "memberId"}}, written by each collector once its store is open and renewed
 * with a TTL. The map is readable and writable by any cluster member (or any process that joins Hazelcast),
 * so an entry is believed only while the member that wrote it is in the cluster.
 */
public final class CollectorRegistry {
  private CollectorRegistry() {}

  /** The entry a ready collector announces for itself; {@code memberId} is its cluster member id. */
  public static JsonObject entry(String node, String memberId) {
    JsonObject e = new JsonObject().put("node", node).put("ready", true).put("since", System.currentTimeMillis());
    if (memberId != null) e.put("memberId", memberId);
    return e;
  }

  /**
   * The collectors batches may go to: entries saying ready whose {@code memberId} is a current member. An entry
   * of a member that left (crashed, or a process that wrote it and went away) is ignored at once, though it
   * stays in the map until its TTL; so is one without a member id. {@code members} null means no cluster
   * (a single Vert.x instance): every ready entry is then its own.
   */
  /** {@link #ready(Map, Set)} against this Vert.x instance's current cluster membership. */
  public static Set<String> ready(io.vertx.core.Vertx vertx, Map<String, JsonObject> entries) {
    io.vertx.core.spi.cluster.ClusterManager cm = ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
    return ready(entries, cm == null ? null : new java.util.HashSet<>(cm.getNodes()));
  }

  public static Set<String> ready(Map<String, JsonObject> entries, Set<String> members) {
    Set<String> ready = new TreeSet<>();
    entries.forEach((node, entry) -> {
      String memberId = entry.getString("memberId");
      boolean alive = members == null || (memberId != null && members.contains(memberId));
      if (entry.getBoolean("ready", false) && alive) ready.add(node);
    });
    return ready;
  }
}
