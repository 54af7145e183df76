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
}
