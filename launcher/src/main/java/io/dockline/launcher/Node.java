package io.dockline.launcher;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import io.dockline.attach.AgentVerticle;
import io.dockline.collector.CollectorVerticle;
import io.dockline.config.NodeConfig;
import io.dockline.config.NodeConfig.Role;
import io.dockline.config.NodeConfig.Setting;
import io.dockline.config.NodeStatus;
import io.dockline.docker.DockerConnection;
import io.dockline.gateway.GatewayVerticle;
import io.dockline.network.NetworkQuorum;
import io.dockline.network.NetworkVerticle;
import io.dockline.routing.RouterVerticle;
import io.dockline.wire.Addresses;
import io.dockline.wire.WireCodecs;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/** One dockline member: a clustered Vert.x instance running the roles its config names. */
public final class Node {
  private static final Logger LOG = Logger.getLogger(Node.class.getName());
  private static final int WORKER_THREADS = 8;

  private final NodeConfig config;
  private final NodeStatus status;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Deployment ids by role, in deployment order. */
  private final Map<Role, String> deployments = new LinkedHashMap<>();
  private Vertx vertx;
  private HazelcastClusterManager clusterManager;
  /** The one Docker client of the roles that talk to Docker; null until one needs it. */
  private DockerConnection docker;

  private Node(NodeConfig config) {
    this.config = config;
    this.status = new NodeStatus(config.nodeName());
  }

  public static Future<Node> start(NodeConfig config) {
    Node node = new Node(config);
    return node.startCluster().compose(v -> node.deployRoles()).map(node);
  }

  public NodeConfig config() { return config; }

  /** This member's Vert.x instance (bench/FleetBench.java sends synthetic batches through its router). */
  public Vertx vertx() { return vertx; }

  /** This member's meters, as {@code /metrics} shows them. */
  public io.micrometer.core.instrument.MeterRegistry meters() { return registry; }

  private Future<Void> startCluster() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    status.register(registry, config.roles());
    Config hz;
    try {
      hz = hazelcastConfig();
    } catch (FileNotFoundException | RuntimeException e) {
      return Future.failedFuture("cluster config: " + e.getMessage());
    }
    // Blocking work (Docker calls, store reads) is short and bounded by the disk and the daemon: a few threads
    // carry it; Vert.x's default of 20 idle threads would be a fifth of a node's thread budget.
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(config.eventLoops()).setWorkerPoolSize(WORKER_THREADS);
    options.getEventBusOptions().setHost(config.clusterHost()).setClusterPublicHost(config.clusterHost()).setPort(0)
        // what /api/cluster shows of each member without asking it: its name and roles
        .setClusterNodeMetadata(new JsonObject().put("node", config.nodeName())
            .put("roles", new JsonArray(config.roles().stream().map(Role::label).collect(Collectors.toList())))
            .put("dataMember", config.dataMember()));
    config.clusterTls().ifPresent(tls -> tls.requireMutualAuth(options.getEventBusOptions()));
    clusterManager = new LiteMemberClusterManager(hz);
    return Vertx.builder().with(options).withClusterManager(clusterManager).buildClustered()
        .map(v -> {
          vertx = v;
          WireCodecs.registerAll(v.eventBus());
          DataMembers.watch(clusterManager.getHazelcastInstance(), status, registry, config.nodeName());
          return null;
        })
        .compose(v -> startWorkerThreads())
        .compose(v -> answerStatus());
  }

  /**
   * The worker pool starts a thread for each task until it has all of them, and never ends one: started now,
   * they are the node's thread count from its start, not a rise minutes later (when a failover's Docker and
   * store calls first run several at once) that a soak cannot tell from a leak.
   */
  private Future<Void> startWorkerThreads() {
    List<Future<Object>> started = new ArrayList<>();
    for (int i = 0; i < WORKER_THREADS; i++) started.add(vertx.executeBlocking(() -> null, false));
    return Future.all(started).mapEmpty();
  }

  /** Every member answers for its roles' readiness and its clock, so one gateway can show the whole cluster's. */
  private Future<Void> answerStatus() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.nodeStatus(config.nodeName()),
        m -> m.reply(status.toJson(config.roles()).put("clockNanos", NodeStatus.wallClockNanos()))).completion();
  }

  /** The embedded default (or --cluster-config), with the node's cluster options applied over it. */
  Config hazelcastConfig() throws FileNotFoundException {
    boolean custom = !config.clusterConfig().isEmpty();
    Config hz = custom ? new FileSystemXmlConfig(config.clusterConfig())
        : new ClasspathXmlConfig("cluster-config/hazelcast-default.xml");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // only the members that hold data own partitions: a lite member (an agent host) joins and leaves without
    // moving any, and the cluster's maps, Vert.x's own included, live on the data members
    hz.setLiteMember(!config.dataMember());
    // Members started at the same moment can each find no one yet and form a cluster alone; Hazelcast looks for
    // other clusters of the same name first 300 s after start, then every 120 s. Every 10 s instead, so they
    // are one cluster within seconds (also after a partition heals). A -D system property still decides.
    for (String merge : new String[] {"hazelcast.merge.first.run.delay.seconds", "hazelcast.merge.next.run.delay.seconds"}) {
      if (System.getProperty(merge) == null && hz.getProperty(merge) == null) hz.setProperty(merge, "10");
    }
    if (!custom || config.isSet(Setting.CLUSTER_NAME)) hz.setClusterName(config.clusterName());
    NetworkConfig net = hz.getNetworkConfig();
    if (!custom || config.isSet(Setting.CLUSTER_PORT)) net.setPort(config.clusterPort()).setPortAutoIncrement(false);
    if (!custom || config.isSet(Setting.CLUSTER_HOST)) {
      net.getInterfaces().setEnabled(true).clear().addInterface(config.clusterHost());
      hz.setProperty("hazelcast.local.localAddress", config.clusterHost());
    }
    if (!custom || config.isSet(Setting.JOIN) || config.isSet(Setting.CLUSTER_PORT)) {
      JoinConfig join = net.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      List<String> members = new ArrayList<>(config.join());
      String self = config.clusterHost() + ":" + config.clusterPort();
      if (!members.contains(self)) members.add(self);
      join.getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    MapConfig pools = hz.getMapConfigOrNull(Addresses.IPAM_POOLS_MAP);
    if (pools == null) {
      // pools are changed in place by entry processors: no (de)serialization of the whole pool per allocation;
      // one synchronous backup (a lost member loses nothing) and one asynchronous (nor do two, most of the time)
      pools = new MapConfig(Addresses.IPAM_POOLS_MAP).setInMemoryFormat(InMemoryFormat.OBJECT)
          .setBackupCount(1).setAsyncBackupCount(1);
      hz.addMapConfig(pools);
    }
    NetworkQuorum.configure(hz, pools, config.networkQuorum());
    return hz;
  }

  private Future<Void> deployRoles() {
    // collectors first, so the agent's first batches find a ring; the agent last, when everything it feeds is up
    Future<Void> chain = Future.succeededFuture();
    for (Role role : List.of(Role.COLLECTOR, Role.ROUTER, Role.GATEWAY, Role.NETWORK, Role.AGENT)) {
      if (!config.has(role)) continue;
      chain = chain.compose(v -> vertx.deployVerticle(verticleFor(role)).map(id -> {
        deployments.put(role, id);
        return null;
      }));
    }
    return chain.onSuccess(v -> LOG.info("node " + config.nodeName() + " started: roles " + config.roles()
        + ", cluster '" + config.clusterName() + "' on " + config.clusterHost() + ":" + config.clusterPort()
        + (config.clusterTls().isPresent() ? ", event bus over TLS" : "")));
  }

  private Deployable verticleFor(Role role) {
    switch (role) {
      case AGENT: return new AgentVerticle(config, status, registry, docker());
      case ROUTER: return new RouterVerticle(config, status, registry);
      case COLLECTOR: return new CollectorVerticle(config, status, registry);
      case GATEWAY: return new GatewayVerticle(config, status, registry);
      case NETWORK: return new NetworkVerticle(config, status, clusterManager.getHazelcastInstance(), docker());
      default: throw new IllegalArgumentException(role.toString());
    }
  }

  private DockerConnection docker() {
    if (docker == null) docker = DockerConnection.open(config.dockerHost());
    return docker;
  }

  /** Stops the agent first (it drains what it read into the collectors), then the rest, then leaves the cluster. */
  public Future<Void> stop() {
    if (vertx == null) return Future.succeededFuture();
    Future<Void> chain = Future.succeededFuture();
    for (Role role : List.of(Role.AGENT, Role.NETWORK, Role.ROUTER, Role.COLLECTOR, Role.GATEWAY)) {
      String id = deployments.remove(role);
      if (id == null) continue;
      chain = chain.compose(v -> vertx.undeploy(id).otherwise(e -> {
        LOG.warning("stopping " + role.label() + ": " + e.getMessage());
        return null;
      }));
    }
    return chain.compose(v -> closeDocker()).compose(v -> vertx.close());
  }

  /** After the roles that used it. */
  private Future<Void> closeDocker() {
    DockerConnection d = docker;
    docker = null;
    if (d == null) return Future.succeededFuture();
    return vertx.<Void>executeBlocking(() -> {
      d.close();
      return null;
    }).otherwise(e -> {
      LOG.warning("closing the Docker client: " + e.getMessage());
      return null;
    });
  }
}
