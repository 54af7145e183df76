package io.dockline.wire;

import java.util.List;

/**
 * Every event-bus address and cluster-wide map name dockline uses, in one place.
 * Addresses that end in a node name are per member; the rest are node-local.
 */
public final class Addresses {
  private Addresses() {}

  /** Node-local: an attach reader hands a {@link LineBatch} to its router; the reply is a {@link BatchAck}. */
  public static final String ROUTER_BATCH = "dockline.router.batch";
  /** Node-local: the last sequence stored for a container, asked of the router (JSON {containerId}). */
  public static final String ROUTER_LAST_SEQ = "dockline.router.last-seq";

  /**
   * Cluster-wide: the ring as the routers see it. Any router answers a request (empty JSON) with
   * {@code {"router", "epsilon", "capacity", "collectors": [{"node", "ready", "streams", "linesPerSecond",
   * "bytesPerSecond", "load", "streamLoads": [{"container", "bytesPerSecond", "linesPerSecond"}]}],
   * "members": [{"node", "memberId", "roles", "onRing"}]}}.
   */
  public static final String RING_STATE = "dockline.ring.state";

  /** Cluster-wide async map: collector node name to its registration (JSON), renewed while it is ready. */
  public static final String COLLECTOR_REGISTRY_MAP = "dockline.collectors";

  /**
   * Cluster-wide async map: router node name to the load it measured per stream it forwards and the collector
   * the stream is on, JSON {@code {containerId: [bytesPerSecond, linesPerSecond, collector], ...}}, renewed
   * with a TTL (a router of the release before publishes no collector; readers take the first two elements
   * and the collector when present). Every router builds the bounded-load ring from it.
   */
  public static final String STREAM_LOAD_MAP = "dockline.stream-loads";

  /**
   * Cluster-wide async map: the ring one collector (the ring leader) builds from the registry and the stream loads
   * and publishes under the key {@code "ring"}: version, collectors with their loads, the bound, and which hash
   * buckets of streams changed owner lately ({@code io.dockline.routing.PublishedRing}, JSON with a {@code format}).
   * Routers read this small entry each second instead of the whole load map.
   */
  public static final String RING_MAP = "dockline.ring";

  /**
   * Cluster-wide async map: stream (container) id to the collector the ring leader assigned it, for every stream
   * with a published load. A router reads only its own streams' entries, when the ring says they may have moved.
   */
  public static final String RING_OWNERS_MAP = "dockline.ring.owners";

  /**
   * Cluster-wide map of IP pools (role network): network name to its pool, leases inside, keyed by container id.
   * Every change is one entry processor on the pool's entry, so allocations from any member are serialized.
   */
  public static final String IPAM_POOLS_MAP = "dockline.ipam.pools";

  /**
   * Cluster-wide, answered by any member running the role network: allocate an address.
   * Request {@code {"network", "containerId", "ip"?}}: {@code containerId} is the lease key (any string for leases
   * not tied to a container; {@code host:*} is reserved), {@code ip} asks for that address. The lease (kind
   * {@code api}) belongs to the member that answers: it renews it while it lives. Asking again with the same key
   * returns the same lease; a key held by a container or a host is refused ({@link #IPAM_TAKEN}).
   * Reply: a lease {@code {"network", "containerId", "ip", "prefix", "mac", "host", "kind": "container"|"api",
   * "createdAt", "renewedAt", "expiresAfterMs", "existing": bool, "answeredBy"}}.
   * Failures ({@link io.vertx.core.eventbus.ReplyException} codes): {@link #IPAM_BAD_REQUEST} (missing field, address
   * not IPv4, outside the range, excluded), {@link #IPAM_UNKNOWN} (unknown network), {@link #IPAM_TAKEN} (address held by
   * another lease; the key already holds another address), {@link #IPAM_EXHAUSTED} (no free address),
   * {@link #IPAM_UNAVAILABLE} (the member is not ready yet, or has no quorum). A failure changes nothing. Until the cluster has
   * dropped a member that died (a few seconds), a request may be routed to it and time out: use a send timeout
   * of a few seconds and ask again (asking again is safe: same key, same lease).
   */
  public static final String NETWORK_ALLOCATE = "dockline.network.allocate";

  /**
   * Cluster-wide: release a lease, whoever holds it (the operator's way; a member's provisioner frees only its
   * own). Request {@code {"network", "containerId"}}; reply the released lease.
   * Failures: {@link #IPAM_UNKNOWN} (unknown network, or no lease with that key), {@link #IPAM_BAD_REQUEST}.
   */
  public static final String NETWORK_RELEASE = "dockline.network.release";

  /**
   * The addresses that change leases: whoever may send to them can take addresses from containers, so the
   * gateway's bridge passes them only when a token guards it and the operator lists them.
   */
  public static final List<String> NETWORK_CHANGES = List.of(NETWORK_ALLOCATE, NETWORK_RELEASE);

  /**
   * Cluster-wide: list networks and their leases. Request {@code {"network"?, "host"?}} filters by network and by
   * owning member. Reply {@code {"networks": [{"name", "subnet", "gateway", "range", "size", "free",
   * "leases": [lease...]}]}}, leases ordered by address. Failure {@link #IPAM_UNKNOWN} for a named unknown network.
   */
  public static final String NETWORK_LEASES = "dockline.network.leases";

  /** Failure code: the request is malformed or asks for an address the pool cannot give. */
  public static final int IPAM_BAD_REQUEST = 400;
  /** Failure code: no such network (or no such lease). */
  public static final int IPAM_UNKNOWN = 404;
  /** Failure code: the address is leased to another key. */
  public static final int IPAM_TAKEN = 409;
  /** Failure code: the member answering is still reconciling, or Hazelcast did not answer. */
  public static final int IPAM_UNAVAILABLE = 503;
  /** Failure code: every address of the range is leased. */
  public static final int IPAM_EXHAUSTED = 507;

  /** A collector's write address: takes a {@link LineBatch}, replies with a {@link BatchAck} once stored. */
  public static String collectorWrite(String node) {
    return "dockline.collector." + node + ".write";
  }

  /**
   * A collector's backfill address: takes a {@link LineBatch} of older lines copied from another replica of the
   * stream (a replica new to the stream is brought up to date), stores those it lacks below its last seq and
   * replies {@code {"written"}} once they are durable. A collector of a release before replication has no
   * handler here: the copy fails and is tried again later, nothing else changes.
   */
  public static String collectorBackfill(String node) {
    return "dockline.collector." + node + ".backfill";
  }

  /** A collector's query address: JSON requests {@code {"op": "containers"|"logs"|"last-seq", ...}}. */
  public static String collectorQuery(String node) {
    return "dockline.collector." + node + ".query";
  }

  /** Per agent: the loss ledger of a container it reads ({@link Losses}). */
  public static String agentLosses(String node) {
    return "dockline.agent." + node + ".losses";
  }

  // --- gateway (issue 6): what the HTTP API and the event-bus bridge offer other services ---

  /** Per member: its roles' readiness, JSON as on {@code /health}; answered by every node. */
  public static String nodeStatus(String node) {
    return "dockline.node." + node + ".status";
  }

  /** Gateway-local: containers, request {@code {"host", "label", "name"}} (all optional), reply a JSON array. */
  public static final String API_CONTAINERS = "dockline.api.containers";
  /**
   * Gateway-local: one page of a container's lines, request {@code {"container", "after", "since", "until",
   * "text", "limit", "tail"}}, reply {@code {"container", "lines": [...], "scannedThrough"}}.
   */
  public static final String API_LOGS = "dockline.api.logs";
  /**
   * Gateway-local: one page of a search across containers, request the fields of {@code GET /api/logs}
   * ({@code "container"} and {@code "label"} may be arrays), reply {@code {"lines": [...], "cursor"}} (no cursor
   * when nothing is left).
   */
  public static final String API_SEARCH = "dockline.api.search";
  /** Gateway-local: counts per group and time bucket, request the fields of {@code GET /api/stats}, reply as it. */
  public static final String API_STATS = "dockline.api.stats";
  /** Gateway-local: the cluster's members with their roles and readiness, as {@code GET /api/cluster}. */
  public static final String API_CLUSTER = "dockline.api.cluster";
  /**
   * Prefix of live-tail addresses: a bridge client that registers a handler on {@code dockline.tail.<id or
   * name>} receives every new line of that container (JSON as in the API) until it unregisters.
   */
  public static final String TAIL_PREFIX = "dockline.tail.";
}
