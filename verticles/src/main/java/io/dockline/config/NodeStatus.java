package io.dockline.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Readiness of each role running on this node, read by the gateway's {@code /health}. */
public final class NodeStatus {
  private static final class State {
    final boolean ready;
    final String detail;

    State(boolean ready, String detail) {
      this.ready = ready;
      this.detail = detail;
    }
  }

  private final Map<NodeConfig.Role, State> roles = new ConcurrentHashMap<>();
  /** Roles short of disk, with why: a collector that takes no writes, an agent whose spool disk is full. */
  private final Map<NodeConfig.Role, String> shortOfDisk = new ConcurrentHashMap<>();
  private final String nodeName;
  /** Streams a router forwards with fewer replicas than replication-factor holding all their lines. */
  private volatile int underReplicated;
  /** Whether this member holds cluster data, and the cluster's data members as it sees them (-1: not yet known). */
  private volatile boolean dataMember;
  private volatile int dataMembers = -1;
  /** The collector's publishing to Kafka (connected, lag, last error); null when it does not publish. */
  private volatile JsonObject kafka;

  public NodeStatus(String nodeName) {
    this.nodeName = nodeName;
  }

  /**
   * This host's wall clock in epoch nanoseconds (microsecond resolution on Linux): a member's status answer carries
   * it as {@code clockNanos}, so the gateway measures each host's offset against its own.
   */
  public static long wallClockNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  public void set(NodeConfig.Role role, boolean ready, String detail) {
    roles.put(role, new State(ready, detail == null ? "" : detail));
  }

  /** Marks the role short of disk ({@code why}), or no longer ({@code null}). */
  public void shortOfDisk(NodeConfig.Role role, String why) {
    if (why == null) shortOfDisk.remove(role);
    else shortOfDisk.put(role, why);
  }

  /**
   * Streams this node's router forwards that are not fully replicated: shown on {@code /health} (which stays
   * 200: the lines are acknowledged and stored, on fewer collectors than the factor).
   */
  public void kafka(JsonObject publishing) {
    kafka = publishing;
  }

  public void underReplicated(int streams) {
    underReplicated = streams;
  }

  /**
   * This member holds cluster data ({@code self}) or is a lite member, and the cluster has {@code count} data
   * members. With none, the cluster maps (the collector registry, stream loads, pools, event-bus subscriptions)
   * are unavailable: the node is not ready, whatever its roles say.
   */
  public void dataMembers(boolean self, int count) {
    dataMember = self;
    dataMembers = count;
  }

  /** Why the node cannot be ready while the cluster has no data member; shown on {@code /health}. */
  public static final String NO_DATA_MEMBER = "the cluster has no data member (no collector, no node with"
      + " data-member true): its maps are unavailable; agents spool until one joins";

  /**
   * Publishes what {@code /health} says as gauges, for alerts: {@code dockline.role.ready{role}} 1 when the role
   * is ready, else 0, and {@code dockline.role.short.of.disk{role}} 1 while the role is short of disk.
   */
  public void register(MeterRegistry registry, Iterable<NodeConfig.Role> expected) {
    Gauge.builder("dockline.cluster.data.members", () -> Math.max(0, dataMembers)).tag("node", nodeName)
        .description("members holding the cluster's data, as this member sees them (0: cluster maps unavailable)")
        .register(registry);
    for (NodeConfig.Role r : expected) {
      Gauge.builder("dockline.role.ready", () -> isReady(r) ? 1 : 0).tag("node", nodeName).tag("role", r.label())
          .description("1 when the role is ready (as /health says), else 0").register(registry);
      Gauge.builder("dockline.role.short.of.disk", () -> shortOfDisk.containsKey(r) ? 1 : 0).tag("node", nodeName)
          .tag("role", r.label()).description("1 while the role is short of disk (as /health says), else 0")
          .register(registry);
    }
  }

  public boolean isReady(NodeConfig.Role role) {
    State s = roles.get(role);
    return s != null && s.ready;
  }

  /** True when every expected role has reported and is ready. */
  public boolean allReady(Iterable<NodeConfig.Role> expected) {
    for (NodeConfig.Role r : expected) if (!isReady(r)) return false;
    return true;
  }

  public JsonObject toJson(Iterable<NodeConfig.Role> expected) {
    JsonObject rolesJson = new JsonObject();
    io.vertx.core.json.JsonArray shortRoles = new io.vertx.core.json.JsonArray();
    for (NodeConfig.Role r : expected) {
      State s = roles.get(r);
      JsonObject role = new JsonObject().put("ready", s != null && s.ready).put("detail", s == null ? "starting" : s.detail);
      String why = shortOfDisk.get(r);
      if (why != null) {
        role.put("shortOfDisk", why);
        shortRoles.add(r.label());
      }
      rolesJson.put(r.label(), role);
    }
    int data = dataMembers;
    JsonObject out = new JsonObject().put("node", nodeName).put("ready", allReady(expected) && data != 0)
        .put("roles", rolesJson);
    if (data >= 0) out.put("dataMember", dataMember).put("dataMembers", data);
    if (data == 0) out.put("noDataMember", NO_DATA_MEMBER);
    int streams = underReplicated;
    if (streams > 0) out.put("underReplicatedStreams", streams);
    JsonObject publishing = kafka;
    if (publishing != null) out.put("kafka", publishing.copy());
    return shortRoles.isEmpty() ? out : out.put("shortOfDisk", shortRoles);
  }
}
