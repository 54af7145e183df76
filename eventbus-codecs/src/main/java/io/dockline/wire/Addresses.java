package io.dockline.wire;

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
   * {@code {"epsilon", "collectors": [{"node", "ready", "streams", "linesPerSecond", "bytesPerSecond"}], ...}}.
   */
  public static final String RING_STATE = "dockline.ring.state";

  /** Cluster-wide async map: collector node name to its registration (JSON), renewed while it is ready. */
  public static final String COLLECTOR_REGISTRY_MAP = "dockline.collectors";

  /**
   * Cluster-wide async map: router node name to the load it measured per stream it forwards, JSON
   * {@code {containerId: [bytesPerSecond, linesPerSecond], ...}}, renewed with a TTL. Every router builds
   * the bounded-load ring from it.
   */
  public static final String STREAM_LOAD_MAP = "dockline.stream-loads";

  /** A collector's write address: takes a {@link LineBatch}, replies with a {@link BatchAck} once stored. */
  public static String collectorWrite(String node) {
    return "dockline.collector." + node + ".write";
  }

  /** A collector's query address: JSON requests {@code {"op": "containers"|"logs"|"last-seq", ...}}. */
  public static String collectorQuery(String node) {
    return "dockline.collector." + node + ".query";
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
  /** Gateway-local: the cluster's members with their roles and readiness, as {@code GET /api/cluster}. */
  public static final String API_CLUSTER = "dockline.api.cluster";
  /**
   * Prefix of live-tail addresses: a bridge client that registers a handler on {@code dockline.tail.<id or
   * name>} receives every new line of that container (JSON as in the API) until it unregisters.
   */
  public static final String TAIL_PREFIX = "dockline.tail.";

  // --- network provisioner (issue 5): answered by the network role ---

  public static final String NETWORK_ALLOCATE = "dockline.network.allocate";
  public static final String NETWORK_RELEASE = "dockline.network.release";
  public static final String NETWORK_LIST = "dockline.network.list";
}
