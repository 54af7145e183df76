package io.dockline.config;

import io.dockline.attach.MultilineRule;
import io.dockline.attach.MultilineSettings;
import io.dockline.wire.Addresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A node's settings. Every setting has one name used everywhere: the CLI option {@code --name}, the conf-file
 * key {@code "name"} and the environment variable {@code DOCKLINE_NAME} (upper case, '-' as '_').
 * Precedence: command line, then environment, then conf file, then the default.
 */
public final class NodeConfig {

  /** The settings a node understands, with their defaults and help text. */
  public enum Setting {
    ROLES("roles", "agent,router,collector,gateway", "roles this node runs: agent, router, collector, gateway, network"),
    NODE_NAME("node-name", null, "this member's name (default: the host name); names a host's lines and a collector"),
    DATA_DIR("data-dir", "./data", "where collectors store lines and agents keep their state"),
    HTTP_HOST("http-host", "127.0.0.1", "gateway HTTP interface"),
    HTTP_PORT("http-port", "8080", "gateway HTTP port"),
    HTTP_HOSTNAMES("http-hostnames", "",
        "host names the gateway answers to besides IP addresses and localhost (comma list; * for any name)"),
    CLUSTER_NAME("cluster-name", "dockline", "Hazelcast cluster name; members only join a cluster of the same name"),
    CLUSTER_HOST("cluster-host", "127.0.0.1", "interface the cluster member binds to and announces"),
    CLUSTER_PORT("cluster-port", "5701", "cluster member port"),
    JOIN("join", "", "host:port,... of members to join (TCP-IP join; default: this member alone)"),
    CLUSTER_CONFIG("cluster-config", "", "Hazelcast XML config file instead of the embedded default"),
    DATA_MEMBER("data-member", "auto",
        "whether this member holds the cluster's data (its maps' partitions): true, false, or auto (true on collectors);"
            + " the others join as Hazelcast lite members"),
    CLUSTER_TLS_KEY("cluster-tls-key", "",
        "event-bus TLS: this member's PEM private key (with cluster-tls-cert and cluster-tls-ca)"),
    CLUSTER_TLS_CERT("cluster-tls-cert", "",
        "event-bus TLS: this member's PEM certificate, signed by the cluster-tls-ca"),
    CLUSTER_TLS_CA("cluster-tls-ca", "",
        "event-bus TLS: PEM CA certificate; members talk only to members with a certificate it signed"),
    HTTP_TLS_KEY("http-tls-key", "", "gateway HTTPS: PEM private key (with http-tls-cert)"),
    HTTP_TLS_CERT("http-tls-cert", "", "gateway HTTPS: PEM certificate (chain); the gateway then serves HTTPS only"),
    DOCKER_HOST("docker-host", null, "Docker daemon (default: $DOCKER_HOST or unix:///var/run/docker.sock)"),
    MAX_LINE_BYTES("max-line-bytes", "1048576", "longer lines are cut into pieces marked partial"),
    MULTILINE("multiline", "none",
        "how agents group lines into records: none, java, python, go, auto or regex:<pattern>; label dockline.multiline overrides it"),
    MULTILINE_FLUSH("multiline-flush", "500", "milliseconds a record waits for its next line before it goes on"),
    MAX_RECORD_BYTES("max-record-bytes", "1048576", "longer records are cut into pieces marked partial"),
    SEGMENT_BYTES("segment-bytes", "16777216", "collector segment file size before rotation (the segment being written is not yet compressed)"),
    FSYNC("fsync", "true", "collectors fsync each group of batches before acknowledging it"),
    RETENTION_AGE("retention-age", "7d",
        "collectors delete lines older than this (90s, 15m, 1h, 7d, or none); label dockline.retention overrides it"),
    RETENTION_CONTAINER_BYTES("retention-container-bytes", "1GiB",
        "no container keeps more than this on a collector's disk, oldest lines go first (512MiB, 1GiB, or none)"),
    RETENTION_DISK_BYTES("retention-disk-bytes", "none",
        "a collector's budget for all its data: over it the oldest lines of any container go first (or none)"),
    MIN_FREE_DISK("min-free-disk", "5%",
        "below this free space (5%, or a size such as 5GiB) a collector takes no writes; it deletes nothing for it"),
    SEGMENT_SEAL_AFTER("segment-seal-after", "1h",
        "a collector seals a container's segment this long after its first line, so quiet containers' lines age out"),
    COMPRESSION("compression", "zstd", "how collectors compress stored lines: zstd or none"),
    AGENT_BUFFER_BYTES("agent-buffer-bytes", "67108864",
        "per-container bytes an agent holds unacknowledged before it stops reading that container"),
    AGENT_SPOOL_BYTES("agent-spool-bytes", "1073741824",
        "disk an agent may use under data-dir/agent/spool for lines no collector has taken yet"),
    EVENT_LOOPS("event-loops", "1",
        "Vert.x event-loop threads; with one, a line passes agent, router and collector without a thread switch"),
    BACKGROUND_PRIORITY("background-priority", "10",
        "CPU priority of a collector's writes and an agent's spool: a nice value 1-19, idle (Linux SCHED_IDLE) or normal"),
    LOGS_REORDER_TOLERANCE("logs-reorder-tolerance", "2000",
        "logs mode: milliseconds a log line may be stamped before a line Docker wrote earlier; a resume reads this far back"),
    AGENT_SPOOL_POLICY("agent-spool-policy", "block",
        "when the spool is full: block (stop reading the container) or drop-newest (discard, counted)"),
    INCLUDE_LABELS("include-labels", "", "agents read only containers with one of these labels (key or key=value, comma-separated)"),
    EXCLUDE_LABELS("exclude-labels", "", "agents skip containers with any of these labels (dockline.ignore=true always)"),
    INCLUDE_NAMES("include-names", "", "agents read only containers whose whole name matches this regex"),
    EXCLUDE_NAMES("exclude-names", "", "agents skip containers whose whole name matches this regex"),
    INCLUDE_IMAGES("include-images", "", "agents read only containers whose whole image matches this regex"),
    EXCLUDE_IMAGES("exclude-images", "", "agents skip containers whose whole image matches this regex"),
    RING_EPSILON("ring-epsilon", "0.25",
        "bounded loads: no collector takes more than (1 + this) x the mean measured load"),
    REPLICATION_FACTOR("replication-factor", "2",
        "collectors that store each line before the agent gets its acknowledgement (at most the ready collectors)"),
    REPLICA_GONE_AFTER("replica-gone-after", "5m",
        "a collector away from the ring this long is gone for good: the routers check, and copy, the older streams "
            + "it was a replica of (streams still writing are re-replicated at once)"),
    MIN_INSYNC_REPLICAS("min-insync-replicas", "1",
        "fewer ready replicas than this for a stream: its lines are not acknowledged (the agents hold and spool them)"),
    AUTH_TOKEN("auth-token", "",
        "tokens with full access (comma list); when a token is set, /api, /bridge and /eventbus require "
            + "'Authorization: Bearer <token>' (or ?access_token=)"),
    READ_TOKEN("read-token", "", "tokens that may read (logs, containers, cluster, tails) but change nothing (comma list)"),
    MAX_TAILS("max-tails", "256", "live tails a gateway runs at most (SSE follows and bridge tail addresses)"),
    MAX_TAILS_PER_SOCKET("max-tails-per-socket", "16", "tail addresses one bridge connection may register at most"),
    SEARCH_SCAN_LINES("search-scan-lines", "1000000",
        "lines each collector looks at for one page of a search across containers before it answers (the page then has a cursor)"),
    FOLLOW_SETTLE("follow-settle", "2000",
        "gateway: milliseconds a follow across containers holds each line so that lines read later still come out in time order"),
    BRIDGE_INBOUND("bridge-inbound", String.join(",", Addresses.API_LOGS, Addresses.API_SEARCH, Addresses.API_STATS, Addresses.API_CONTAINERS,
        Addresses.API_CLUSTER, Addresses.RING_STATE, Addresses.NETWORK_LEASES),
        "addresses bridge clients may send to (comma list; a trailing * matches a prefix); "
            + Addresses.NETWORK_ALLOCATE + " and .release only with auth-token set"),
    BRIDGE_OUTBOUND("bridge-outbound", Addresses.TAIL_PREFIX + "*",
        "addresses bridge clients may receive from (comma list; a trailing * matches a prefix)"),
    BRIDGE_ORIGINS("bridge-origins", "",
        "web origins (https://app.example, or *) whose pages may use the bridge besides the gateway's own"),
    NETWORKS("networks", "[]", "role network: JSON array of macvlan networks (best set in the conf file, see README)"),
    NETWORK_LEASE_TTL("network-lease-ttl", "30",
        "role network: seconds a lost member's address leases stay valid without renewal"),
    NETWORK_LEASE_GRACE("network-lease-grace", "30",
        "role network: seconds added to the TTL before a lost member's leases are freed"),
    START_GATE("start-gate", "off",
        "on: hold each container start until the agent's attach is open (needs the Docker authorization plugin, see README)"),
    START_GATE_SOCKET("start-gate-socket", "/run/docker/plugins/dockline.sock",
        "the start gate's plugin socket; its file name without .sock is the plugin's name in daemon.json"),
    START_GATE_TIMEOUT("start-gate-timeout", "2000",
        "milliseconds a start is held at most while its attach opens; then it is let through and counted"),
    KAFKA_BOOTSTRAP("kafka-bootstrap", "",
        "collectors publish every stored line to Kafka at these brokers (host:port,...); unset: no publishing"),
    KAFKA_TOPIC("kafka-topic", "dockline.lines",
        "the topic lines are published to (key: container id); progress goes to <topic>.progress"),
    KAFKA_PROPERTIES("kafka-properties", "",
        "a Java properties file of Kafka client settings passed through (security.protocol, sasl.*, ssl.*, linger.ms, ...)"),
    KAFKA_EXACTLY_ONCE("kafka-exactly-once", "true",
        "true: transactions, each line exactly once for read_committed consumers; false: idempotent, at least once"),
    NETWORK_QUORUM("network-quorum", "1",
        "role network: data members a side of a split cluster needs to change leases (a majority, e.g. 2 of 3); "
            + "a member without it allocates nothing and after the TTL takes its containers off (1: off)");

    private final String key;
    private final String defaultValue;
    private final String help;

    Setting(String key, String defaultValue, String help) {
      this.key = key;
      this.defaultValue = defaultValue;
      this.help = help;
    }

    public String key() { return key; }
    public String help() { return help; }
    public String defaultValue() { return defaultValue; }

    public String envName() {
      return "DOCKLINE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public static Setting byKey(String key) {
      for (Setting s : values()) if (s.key.equals(key)) return s;
      return null;
    }
  }

  /**
   * With {@code network-quorum}: how long a member counts another one it has not heard a heartbeat from. A
   * member cut off notices this long (and one heartbeat check) after the cut.
   */
  public static final long QUORUM_TOLERANCE_MS = 5_000;

  public enum Role {
    AGENT, ROUTER, COLLECTOR, GATEWAY, NETWORK;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Setting, String> values;
  private final Set<Setting> explicit;
  /** Read once, when the settings are checked: every Kafka client a collector makes uses them. */
  private java.util.Properties kafkaProperties = new java.util.Properties();

  private NodeConfig(Map<Setting, String> values, Set<Setting> explicit) {
    this.values = values;
    this.explicit = explicit;
  }

  /** True when the setting was given (command line, environment or conf file), not defaulted. */
  public boolean isSet(Setting s) {
    return explicit.contains(s);
  }

  /**
   * Merges the layers (later layers win) and validates the result.
   * @throws IllegalArgumentException with a one-line message naming the bad setting
   */
  @SafeVarargs
  public static NodeConfig resolve(Map<String, String>... layersLowToHigh) {
    Map<Setting, String> v = new LinkedHashMap<>();
    Set<Setting> explicit = EnumSet.noneOf(Setting.class);
    for (Setting s : Setting.values()) if (s.defaultValue != null) v.put(s, s.defaultValue);
    for (Map<String, String> layer : layersLowToHigh) {
      for (Map.Entry<String, String> e : layer.entrySet()) {
        Setting s = Setting.byKey(e.getKey());
        if (s == null) throw new IllegalArgumentException("unknown setting '" + e.getKey() + "'");
        v.put(s, e.getValue());
        explicit.add(s);
      }
    }
    if (!v.containsKey(Setting.NODE_NAME) || v.get(Setting.NODE_NAME).isBlank()) {
      v.put(Setting.NODE_NAME, defaultNodeName());
    }
    if (!v.containsKey(Setting.DOCKER_HOST) || v.get(Setting.DOCKER_HOST).isBlank()) {
      String env = System.getenv("DOCKER_HOST");
      v.put(Setting.DOCKER_HOST, env == null || env.isBlank() ? "unix:///var/run/docker.sock" : env);
    }
    NodeConfig c = new NodeConfig(v, explicit);
    c.validate();
    return c;
  }

  /**
   * Reads a conf file's JSON object into a layer; values may be strings, numbers, booleans or string arrays.
   * An array of objects (the networks) is kept as its JSON text.
   */
  public static Map<String, String> layerOf(JsonObject json) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : json) {
      Object val = e.getValue();
      if (val instanceof JsonArray && ((JsonArray) val).stream().anyMatch(o -> o instanceof JsonObject)) {
        m.put(e.getKey(), ((JsonArray) val).encode());
      } else if (val instanceof Iterable) {
        List<String> parts = new ArrayList<>();
        for (Object o : (Iterable<?>) val) parts.add(String.valueOf(o));
        m.put(e.getKey(), String.join(",", parts));
      } else {
        m.put(e.getKey(), val == null ? "" : String.valueOf(val));
      }
    }
    return m;
  }

  /** The DOCKLINE_* variables of an environment as a layer. */
  public static Map<String, String> layerOfEnv(Map<String, String> env) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Setting s : Setting.values()) {
      String val = env.get(s.envName());
      if (val != null) m.put(s.key, val);
    }
    return m;
  }

  private void validate() {
    roles();
    checkName(nodeName(), Setting.NODE_NAME);
    port(Setting.HTTP_PORT);
    port(Setting.CLUSTER_PORT);
    hostPorts(Setting.JOIN, join());
    positive(Setting.MAX_LINE_BYTES, 16, Integer.MAX_VALUE - 64);
    positive(Setting.SEGMENT_BYTES, 4096, Long.MAX_VALUE);
    positive(Setting.MULTILINE_FLUSH, 1, 60_000);
    positive(Setting.MAX_RECORD_BYTES, 16, Integer.MAX_VALUE - 64);
    try {
      MultilineRule.parse(get(Setting.MULTILINE));
    } catch (IllegalArgumentException e) {
      throw bad(Setting.MULTILINE, get(Setting.MULTILINE), e.getMessage());
    }
    positive(Setting.AGENT_BUFFER_BYTES, 65536, Long.MAX_VALUE);
    try {
      double e = Double.parseDouble(get(Setting.RING_EPSILON));
      if (!(e >= 0.01 && e <= 10)) throw bad(Setting.RING_EPSILON, get(Setting.RING_EPSILON), "expected 0.01 to 10");
    } catch (NumberFormatException e) {
      throw bad(Setting.RING_EPSILON, get(Setting.RING_EPSILON), "expected a number such as 0.25");
    }
    positive(Setting.AGENT_SPOOL_BYTES, 0, Long.MAX_VALUE);
    positive(Setting.REPLICATION_FACTOR, 1, 16);
    positive(Setting.MIN_INSYNC_REPLICAS, 1, replicationFactor());
    positive(Setting.EVENT_LOOPS, 1, 1024);
    try {
      BackgroundPriority.parse(get(Setting.BACKGROUND_PRIORITY));
    } catch (IllegalArgumentException e) {
      throw bad(Setting.BACKGROUND_PRIORITY, get(Setting.BACKGROUND_PRIORITY), e.getMessage());
    }
    for (Setting regex : List.of(Setting.INCLUDE_NAMES, Setting.EXCLUDE_NAMES, Setting.INCLUDE_IMAGES,
        Setting.EXCLUDE_IMAGES)) {
      try {
        java.util.regex.Pattern.compile(get(regex));
      } catch (java.util.regex.PatternSyntaxException e) {
        throw bad(regex, get(regex), e.getDescription());
      }
    }
    String policy = get(Setting.AGENT_SPOOL_POLICY);
    if (!"block".equals(policy) && !"drop-newest".equals(policy)) {
      throw bad(Setting.AGENT_SPOOL_POLICY, policy, "expected block or drop-newest");
    }
    positive(Setting.MAX_TAILS, 1, 1_000_000);
    positive(Setting.MAX_TAILS_PER_SOCKET, 1, 1_000_000);
    positive(Setting.SEARCH_SCAN_LINES, 1, io.dockline.wire.CollectorQuery.MAX_SCAN_LINES);
    positive(Setting.FOLLOW_SETTLE, 0, 600_000);
    if (list(Setting.AUTH_TOKEN).stream().anyMatch(list(Setting.READ_TOKEN)::contains)) {
      // the value is a secret: the message names the setting, not the token
      throw new IllegalArgumentException("invalid --read-token: a token is listed in auth-token too");
    }
    positive(Setting.LOGS_REORDER_TOLERANCE, 1, 3_600_000);
    positive(Setting.NETWORK_LEASE_TTL, 1, 86_400);
    positive(Setting.NETWORK_LEASE_GRACE, 0, 86_400);
    String gate = get(Setting.START_GATE);
    if (!"on".equals(gate) && !"off".equals(gate)) throw bad(Setting.START_GATE, gate, "expected on or off");
    String gateSocket = get(Setting.START_GATE_SOCKET);
    if (!gateSocket.startsWith("/") || !gateSocket.endsWith(".sock") || gateSocket.length() > 100) {
      throw bad(Setting.START_GATE_SOCKET, gateSocket, "expected an absolute path ending in .sock (at most 100 characters)");
    }
    positive(Setting.START_GATE_TIMEOUT, 10, 60_000);
    positive(Setting.NETWORK_QUORUM, 1, 1_000);
    kafkaSettings();
    String data = get(Setting.DATA_MEMBER);
    if (!List.of("true", "false", "auto").contains(data)) throw bad(Setting.DATA_MEMBER, data, "expected true, false or auto");
    // a cut-off member takes its containers off about TTL after its last heartbeat got through (a second or two
    // later: heartbeats, checks, Docker); the others free its leases TTL + grace after its last renewal, which
    // may be TTL/3 older
    long minGraceMs = networkLeaseTtlMs() / 3 + 5_000;
    if (networkQuorum() > 1 && networkLeaseGraceMs() < minGraceMs) {
      throw bad(Setting.NETWORK_LEASE_GRACE, get(Setting.NETWORK_LEASE_GRACE), "with --network-quorum it must be at least"
          + " TTL/3 + 5 s (" + (minGraceMs + 999) / 1000 + " s), so a member cut off has taken its containers off"
          + " before the others free their addresses");
    }
    networks();
    if (authTokens().isEmpty()) {
      for (String change : Addresses.NETWORK_CHANGES) {
        if (listed(bridgeInbound(), change)) {
          throw bad(Setting.BRIDGE_INBOUND, get(Setting.BRIDGE_INBOUND), "lets anyone reach " + change
              + ", which takes addresses from containers: set --auth-token, or leave it out of the list");
        }
      }
    }
    tls(Setting.CLUSTER_TLS_KEY, Setting.CLUSTER_TLS_CERT, Setting.CLUSTER_TLS_CA);
    tls(Setting.HTTP_TLS_KEY, Setting.HTTP_TLS_CERT, null);
    quantity(Setting.RETENTION_AGE, () -> retentionAge());
    quantity(Setting.RETENTION_CONTAINER_BYTES, () -> retentionContainerBytes());
    quantity(Setting.RETENTION_DISK_BYTES, () -> retentionDiskBytes());
    quantity(Setting.MIN_FREE_DISK, () -> minFreeDisk());
    quantity(Setting.SEGMENT_SEAL_AFTER, () -> segmentSealAfter());
    quantity(Setting.REPLICA_GONE_AFTER, () -> replicaGoneAfter());
    if (replicaGoneAfter().toMillis() < 1_000) throw bad(Setting.REPLICA_GONE_AFTER, get(Setting.REPLICA_GONE_AFTER), "at least 1s");
    if (segmentSealAfter().toMillis() < 1_000) throw bad(Setting.SEGMENT_SEAL_AFTER, get(Setting.SEGMENT_SEAL_AFTER), "at least 1s");
    String compression = get(Setting.COMPRESSION);
    if (!"zstd".equals(compression) && !"none".equals(compression)) {
      throw bad(Setting.COMPRESSION, compression, "expected zstd or none");
    }
    String f = get(Setting.FSYNC);
    if (!"true".equals(f) && !"false".equals(f)) throw bad(Setting.FSYNC, f, "expected true or false");
    String docker = dockerHost();
    if (!docker.startsWith("unix://") && !docker.startsWith("tcp://")) {
      throw bad(Setting.DOCKER_HOST, docker, "expected unix:///path or tcp://host:port");
    }
  }

  /** A TLS group's files: all set or none; read and checked when set (a bad file is a bad setting). */
  private void tls(Setting key, Setting cert, Setting ca) {
    List<Setting> group = ca == null ? List.of(key, cert) : List.of(key, cert, ca);
    if (group.stream().allMatch(s -> get(s).isEmpty())) return;
    for (Setting s : group) {
      if (get(s).isEmpty()) {
        throw bad(s, "", "set together with " + group.stream().filter(o -> o != s).map(o -> "--" + o.key)
            .collect(Collectors.joining(" and ")));
      }
    }
    try {
      TlsFiles.checkCertificates(Path.of(get(cert)));
    } catch (IllegalArgumentException e) {
      throw bad(cert, get(cert), e.getMessage());
    }
    try {
      TlsFiles.checkKeyOf(Path.of(get(key)), Path.of(get(cert)));
    } catch (IllegalArgumentException e) {
      throw bad(key, get(key), e.getMessage());
    }
    if (ca == null) return;
    try {
      TlsFiles.checkCertificates(Path.of(get(ca)));
    } catch (IllegalArgumentException e) {
      throw bad(ca, get(ca), e.getMessage());
    }
  }

  /** Parses a size or duration setting, turning a parse error into one naming the setting. */
  private void quantity(Setting s, Runnable parse) {
    try {
      parse.run();
    } catch (IllegalArgumentException e) {
      throw bad(s, get(s), e.getMessage());
    }
  }

  private static void checkName(String name, Setting s) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) throw bad(s, name, "letters, digits, '_', '.', '-' only");
  }

  private static IllegalArgumentException bad(Setting s, String value, String why) {
    return new IllegalArgumentException("invalid --" + s.key + " '" + value + "': " + why);
  }

  private String get(Setting s) {
    String v = values.get(s);
    return v == null ? "" : v.trim();
  }

  private int port(Setting s) {
    long p = number(s);
    if (p < 1 || p > 65535) throw bad(s, get(s), "port out of range");
    return (int) p;
  }

  private long number(Setting s) {
    try {
      return Long.parseLong(get(s));
    } catch (NumberFormatException e) {
      throw bad(s, get(s), "expected a whole number");
    }
  }

  private long positive(Setting s, long min, long max) {
    long n = number(s);
    if (n < min || n > max) throw bad(s, get(s), "expected a number from " + min + " to " + max);
    return n;
  }

  private static String defaultNodeName() {
    try {
      String h = InetAddress.getLocalHost().getHostName();
      String cleaned = h.replaceAll("[^A-Za-z0-9_.-]", "-");
      return cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0)) ? "node" : cleaned;
    } catch (Exception e) {
      return "node";
    }
  }

  public Set<Role> roles() {
    Set<Role> r = EnumSet.noneOf(Role.class);
    for (String part : get(Setting.ROLES).split(",")) {
      String p = part.trim();
      if (p.isEmpty()) continue;
      try {
        r.add(Role.valueOf(p.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw bad(Setting.ROLES, p, "roles are agent, router, collector, gateway, network");
      }
    }
    if (r.isEmpty()) throw bad(Setting.ROLES, get(Setting.ROLES), "name at least one role");
    return Collections.unmodifiableSet(r);
  }

  public boolean has(Role role) { return roles().contains(role); }
  public String nodeName() { return get(Setting.NODE_NAME); }
  public Path dataDir() { return Path.of(get(Setting.DATA_DIR)); }
  public String httpHost() { return get(Setting.HTTP_HOST); }
  public int httpPort() { return port(Setting.HTTP_PORT); }
  public String clusterName() { return get(Setting.CLUSTER_NAME); }
  public String clusterHost() { return get(Setting.CLUSTER_HOST); }
  public int clusterPort() { return port(Setting.CLUSTER_PORT); }
  public String clusterConfig() { return get(Setting.CLUSTER_CONFIG); }
  public String dockerHost() { return get(Setting.DOCKER_HOST); }
  public int maxLineBytes() { return (int) number(Setting.MAX_LINE_BYTES); }

  public MultilineSettings multiline() {
    return new MultilineSettings(MultilineRule.parse(get(Setting.MULTILINE)),
        number(Setting.MULTILINE_FLUSH), (int) number(Setting.MAX_RECORD_BYTES));
  }
  public long segmentBytes() { return number(Setting.SEGMENT_BYTES); }
  public boolean fsync() { return Boolean.parseBoolean(get(Setting.FSYNC)); }
  /** Lines older than this go; null: no age limit. */
  public java.time.Duration retentionAge() { return Quantities.duration(get(Setting.RETENTION_AGE), true); }
  /** {@link Long#MAX_VALUE}: no cap. */
  public long retentionContainerBytes() { return Quantities.bytes(get(Setting.RETENTION_CONTAINER_BYTES), true); }
  /** {@link Long#MAX_VALUE}: no budget. */
  public long retentionDiskBytes() { return Quantities.bytes(get(Setting.RETENTION_DISK_BYTES), true); }
  public Quantities.FreeDisk minFreeDisk() { return Quantities.FreeDisk.parse(get(Setting.MIN_FREE_DISK)); }
  public java.time.Duration segmentSealAfter() { return Quantities.duration(get(Setting.SEGMENT_SEAL_AFTER), false); }
  /** True when collectors compress what they store (setting {@code compression=zstd}). */
  public boolean compression() { return "zstd".equals(get(Setting.COMPRESSION)); }
  public long agentBufferBytes() { return number(Setting.AGENT_BUFFER_BYTES); }
  public long agentSpoolBytes() { return number(Setting.AGENT_SPOOL_BYTES); }
  public int eventLoops() { return (int) number(Setting.EVENT_LOOPS); }
  public BackgroundPriority backgroundPriority() { return BackgroundPriority.parse(get(Setting.BACKGROUND_PRIORITY)); }
  public long logsReorderToleranceMs() { return number(Setting.LOGS_REORDER_TOLERANCE); }
  public boolean agentSpoolDropsNewest() { return "drop-newest".equals(get(Setting.AGENT_SPOOL_POLICY)); }
  /** The container filter settings, by key ({@code include-labels}, ...). */
  public String filter(Setting s) { return get(s); }
  public int replicationFactor() { return (int) number(Setting.REPLICATION_FACTOR); }
  public int minInsyncReplicas() { return (int) number(Setting.MIN_INSYNC_REPLICAS); }
  public java.time.Duration replicaGoneAfter() { return Quantities.duration(get(Setting.REPLICA_GONE_AFTER), false); }
  public double ringEpsilon() { return Double.parseDouble(get(Setting.RING_EPSILON)); }
  public long networkLeaseTtlMs() { return number(Setting.NETWORK_LEASE_TTL) * 1000; }
  public long networkLeaseGraceMs() { return number(Setting.NETWORK_LEASE_GRACE) * 1000; }
  public boolean startGate() { return "on".equals(get(Setting.START_GATE)); }
  public Path startGateSocket() { return Path.of(get(Setting.START_GATE_SOCKET)); }
  public long startGateTimeoutMs() { return number(Setting.START_GATE_TIMEOUT); }
  public int networkQuorum() { return (int) number(Setting.NETWORK_QUORUM); }

  /** The brokers collectors publish to; empty when publishing is off. */
  public List<String> kafkaBootstrap() { return list(Setting.KAFKA_BOOTSTRAP); }
  public String kafkaTopic() { return get(Setting.KAFKA_TOPIC); }
  public boolean kafkaExactlyOnce() { return Boolean.parseBoolean(get(Setting.KAFKA_EXACTLY_ONCE)); }

  /** The pass-through Kafka client properties (empty without {@code kafka-properties}), as read at start. */
  public java.util.Properties kafkaProperties() {
    java.util.Properties copy = new java.util.Properties();
    copy.putAll(kafkaProperties);
    return copy;
  }

  private java.util.Properties readKafkaProperties() {
    java.util.Properties p = new java.util.Properties();
    String file = get(Setting.KAFKA_PROPERTIES);
    if (file.isBlank()) return p;
    try (java.io.Reader r = java.nio.file.Files.newBufferedReader(Path.of(file))) {
      p.load(r);
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw bad(Setting.KAFKA_PROPERTIES, file, "cannot read it: " + e.getMessage());
    }
    return p;
  }

  private static void hostPorts(Setting s, List<String> entries) {
    for (String entry : entries) {
      int colon = entry.lastIndexOf(':');
      if (colon <= 0) throw bad(s, entry, "expected host:port");
      try {
        int p = Integer.parseInt(entry.substring(colon + 1));
        if (p < 1 || p > 65535) throw bad(s, entry, "port out of range");
      } catch (NumberFormatException e) {
        throw bad(s, entry, "expected host:port");
      }
    }
  }

  private void kafkaSettings() {
    hostPorts(Setting.KAFKA_BOOTSTRAP, kafkaBootstrap());
    // Kafka's legal topic names; the progress topic adds ".progress" within Kafka's 249 characters
    if (!kafkaTopic().matches("[a-zA-Z0-9._-]{1,240}")) {
      throw bad(Setting.KAFKA_TOPIC, kafkaTopic(), "expected 1-240 of a-z A-Z 0-9 . _ -");
    }
    String once = get(Setting.KAFKA_EXACTLY_ONCE);
    if (!"true".equals(once) && !"false".equals(once)) throw bad(Setting.KAFKA_EXACTLY_ONCE, once, "expected true or false");
    kafkaProperties = readKafkaProperties();
  }

  /**
   * Whether this member holds the cluster's data: set, or (auto) when it runs a collector. The others are
   * Hazelcast lite members: they own no partition, so they join and leave without moving any.
   */
  public boolean dataMember() {
    String v = get(Setting.DATA_MEMBER);
    return "auto".equals(v) ? has(Role.COLLECTOR) : Boolean.parseBoolean(v);
  }

  /** The configured networks as JSON objects; each is checked by the network role itself. */
  public List<JsonObject> networks() {
    JsonArray a;
    try {
      a = new JsonArray(get(Setting.NETWORKS).isEmpty() ? "[]" : get(Setting.NETWORKS));
    } catch (RuntimeException e) {
      throw bad(Setting.NETWORKS, get(Setting.NETWORKS), "expected a JSON array of network objects");
    }
    List<JsonObject> out = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof JsonObject)) throw bad(Setting.NETWORKS, String.valueOf(o), "expected a JSON object");
      out.add((JsonObject) o);
    }
    return out;
  }

  /** The event bus's TLS files, with the CA for mutual authentication; empty when the event bus is plain TCP. */
  public Optional<TlsFiles> clusterTls() {
    return get(Setting.CLUSTER_TLS_KEY).isEmpty() ? Optional.empty()
        : Optional.of(new TlsFiles(Path.of(get(Setting.CLUSTER_TLS_KEY)), Path.of(get(Setting.CLUSTER_TLS_CERT)),
            Path.of(get(Setting.CLUSTER_TLS_CA))));
  }

  /** The gateway's HTTPS files (no CA: clients are not asked for certificates); empty when it serves plain HTTP. */
  public Optional<TlsFiles> httpTls() {
    return get(Setting.HTTP_TLS_KEY).isEmpty() ? Optional.empty()
        : Optional.of(new TlsFiles(Path.of(get(Setting.HTTP_TLS_KEY)), Path.of(get(Setting.HTTP_TLS_CERT)), null));
  }

  /** Tokens with full access; with {@link #readTokens()} both empty the API is open. */
  public List<String> authTokens() { return list(Setting.AUTH_TOKEN); }
  /** Tokens that may read but change nothing. */
  public List<String> readTokens() { return list(Setting.READ_TOKEN); }
  /** True when /api, /bridge and /eventbus need a token. */
  public boolean tokenRequired() { return !authTokens().isEmpty() || !readTokens().isEmpty(); }
  public List<String> httpHostnames() { return list(Setting.HTTP_HOSTNAMES); }
  public int maxTails() { return (int) number(Setting.MAX_TAILS); }
  public int maxTailsPerSocket() { return (int) number(Setting.MAX_TAILS_PER_SOCKET); }
  public long searchScanLines() { return number(Setting.SEARCH_SCAN_LINES); }

  public long followSettleMs() { return number(Setting.FOLLOW_SETTLE); }
  public List<String> bridgeInbound() { return list(Setting.BRIDGE_INBOUND); }
  public List<String> bridgeOutbound() { return list(Setting.BRIDGE_OUTBOUND); }
  public List<String> bridgeOrigins() { return list(Setting.BRIDGE_ORIGINS); }

  /** Whether a list of addresses ({@code bridge-inbound}, ...) names this one: exactly, or by a prefix ending in '*'. */
  public static boolean listed(List<String> entries, String address) {
    for (String e : entries) {
      if (e.endsWith("*") ? address.startsWith(e.substring(0, e.length() - 1)) : address.equals(e)) return true;
    }
    return false;
  }

  private List<String> list(Setting s) {
    List<String> out = new ArrayList<>();
    for (String p : get(s).split(",")) if (!p.isBlank()) out.add(p.trim());
    return out;
  }

  public List<String> join() {
    return list(Setting.JOIN);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    // the token is a secret: whoever prints the config must not leak it
    values.forEach((k, v) -> o.put(k.key, (k == Setting.AUTH_TOKEN || k == Setting.READ_TOKEN) && !v.isEmpty()
        ? "(set)" : v));
    return o;
  }
}
