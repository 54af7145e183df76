package io.dockline.network;

import com.hazelcast.core.HazelcastInstance;
import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.docker.DockerConnection;
import io.dockline.docker.EventWatch;
import io.dockline.network.impl.DockerHost;
import io.dockline.network.impl.HostShim;
import io.dockline.network.impl.Ipam;
import io.dockline.network.impl.IpamException;
import io.dockline.network.impl.Lease;
import io.dockline.network.impl.PoolDefinition;
import io.dockline.network.impl.PoolState;
import io.dockline.network.impl.Provisioner;
import io.dockline.wire.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Role network: macvlan networks on this host, addresses from pools shared by the cluster. On start it
 * defines the pools, creates (or adopts) the Docker networks, then reconciles this host's containers with the
 * leases before it answers any allocation. While it lives it renews the leases it owns; every member frees
 * the leases of a member not heard from for its TTL plus grace. With {@code network-quorum}, a member that is
 * cut off from the quorum takes its containers off the networks (see {@link NetworkQuorum}) before the others
 * may give their addresses away, and connects them again when it is back.
 */
public final class NetworkVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(NetworkVerticle.class.getName());

  private final NodeConfig config;
  private final NodeStatus status;
  private final HazelcastInstance hazelcast;
  private final DockerConnection dockerConnection;
  private final Map<String, NetworkSpec> specs = new LinkedHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final long holdMs;
  private DockerHost docker;
  private EventWatch watch;
  private Ipam ipam;
  private Provisioner provisioner;
  private boolean ready;
  private boolean stopped;
  private NetworkQuorum quorum;
  /** Monotonic ms of the last check that found the quorum present. */
  private long lastQuorate;
  private boolean quorumLost;
  private boolean fencedAll;
  /** Networks whose last renewal of this member's leases failed: said once when it fails, once when it works again. */
  private final java.util.Set<String> renewFailing = new java.util.HashSet<>();
  private String readyDetail;

  /** @param docker the node's Docker client, closed by the node */
  public NetworkVerticle(NodeConfig config, NodeStatus status, HazelcastInstance hazelcast, DockerConnection docker) {
    this.config = config;
    this.status = status;
    this.hazelcast = hazelcast;
    this.dockerConnection = docker;
    this.holdMs = config.networkLeaseTtlMs() + config.networkLeaseGraceMs();
  }

  @Override
  public Future<?> start() {
    try {
      for (NetworkSpec s : NetworkSpec.parseAll(config.networks())) specs.put(s.name(), s);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture("--networks: " + e.getMessage());
    }
    docker = new DockerHost(dockerConnection);
    ipam = new Ipam(hazelcast, context);
    quorum = NetworkQuorum.of(hazelcast);
    lastQuorate = monotonicMs();
    provisioner = new Provisioner(vertx, docker, ipam, specs, config.nodeName(), holdMs, quorum::present);
    if (quorum.configured()) vertx.setPeriodic(250, t -> watchQuorum());
    status.set(NodeConfig.Role.NETWORK, false, "defining pools");
    long tick = Math.max(250, config.networkLeaseTtlMs() / 3);
    vertx.setPeriodic(tick, t -> renewAndExpire());
    // a missed event (stream down, daemon restarted) is caught by the next sweep
    vertx.setPeriodic(Math.max(5_000, config.networkLeaseTtlMs()), t -> { if (ready) provisioner.sweep(); });
    bringUp();
    return Future.succeededFuture();
  }

  /**
   * Pools, Docker networks and shims, then events, reconcile, the API: each step again after a failure or when
   * the event stream ends (a missed event could leave a container without its address). Without networks on
   * this host, Docker is not needed: no events are watched.
   */
  private void bringUp() {
    if (stopped) return;
    List<String> events = specs.isEmpty() ? List.of() : List.of("container", "network");
    watch = EventWatch.start(context, dockerConnection, events, "network role not ready", new EventWatch.Role() {
      @Override
      public Future<Void> prepare() {
        return definePools().compose(v -> ensureNetworks()).compose(v -> ensureShims()).onSuccess(v -> {
          if (!specs.isEmpty()) status.set(NodeConfig.Role.NETWORK, false, "reconciling containers with the cluster's leases");
        });
      }

      @Override
      public Future<Void> resync() {
        return provisioner.sweep().compose(v -> registerApi());
      }

      @Override
      public void onEvent(com.github.dockerjava.api.model.Event event) {
        if (!stopped) provisioner.onEvent(event);
      }

      @Override
      public void onUp() {
        ready = true;
        readyDetail = specs.isEmpty() ? "no networks on this host (allocation API only)"
            : "networks " + specs.keySet() + " on Docker at " + config.dockerHost();
        report();
        LOG.info("network role ready: " + readyDetail);
      }

      @Override
      public void onDown(String problem) {
        ready = false;
        status.set(NodeConfig.Role.NETWORK, false, problem);
      }
    });
  }

  /** Ready, unless the quorum is missing (then every request is refused with the reason). */
  private void report() {
    if (quorumLost) status.set(NodeConfig.Role.NETWORK, false, quorum.refusal());
    else if (ready) status.set(NodeConfig.Role.NETWORK, true, readyDetail);
  }

  /**
   * Self-fencing. On losing the quorum, containers connected in the last seconds go off the networks at once;
   * after the lease TTL without it, all of them (and the shims' addresses): the other side frees their leases
   * TTL + grace after their last renewal. The time without quorum counts from the last check that found it
   * less the tolerance: it was lost when the last heartbeat came, which this member learns only that much later.
   */
  private void watchQuorum() {
    if (stopped) return;
    long now = monotonicMs();
    if (quorum.present()) {
      lastQuorate = now;
      if (!quorumLost) return;
      quorumLost = false;
      fencedAll = false;
      LOG.info("quorum back: connecting this host's containers again");
      report();
      provisioner.online();
      // every fenced container is connected again (its old address if nobody took it); not ready yet: bringUp does it
      if (ready) ensureShims().compose(v -> provisioner.sweep())
          .onFailure(e -> LOG.warning("reconnecting after the quorum came back: " + e.getMessage() + "; the sweep tries again"));
      return;
    }
    if (!quorumLost) {
      quorumLost = true;
      LOG.warning(quorum.refusal() + "; containers connected in the last seconds leave the networks now, all others"
          + " after " + config.networkLeaseTtlMs() / 1000 + " s without quorum");
      report();
      provisioner.fenceRecent(lastQuorate - NodeConfig.QUORUM_TOLERANCE_MS - 2_000);
    }
    if (!fencedAll && now - (lastQuorate - NodeConfig.QUORUM_TOLERANCE_MS) > config.networkLeaseTtlMs()) {
      fencedAll = true;
      LOG.warning("no quorum for longer than the lease TTL: taking this host's containers off " + specs.keySet()
          + " before the rest of the cluster may give their addresses to others");
      provisioner.fenceAll();
      for (NetworkSpec s : specs.values()) {
        if (s.shim() != null) vertx.executeBlocking(() -> HostShim.takeDown(s.shim()))
            .onFailure(e -> LOG.warning("shim " + s.shim() + ": " + e.getMessage()));
      }
    }
  }

  private static long monotonicMs() {
    return System.nanoTime() / 1_000_000;
  }

  private Future<Void> definePools() {
    List<Future<Void>> all = new ArrayList<>();
    for (NetworkSpec s : specs.values()) all.add(ipam.define(new PoolDefinition(s)));
    return Future.all(all).mapEmpty();
  }

  private Future<Void> ensureNetworks() {
    if (specs.isEmpty()) return Future.succeededFuture();
    status.set(NodeConfig.Role.NETWORK, false, "creating Docker networks");
    return vertx.executeBlocking(() -> {
      String version = docker.version();
      for (NetworkSpec s : specs.values()) {
        LOG.info("network " + s.name() + " (macvlan on " + s.dockerParent() + ", " + s.subnet() + "): "
            + docker.ensureNetwork(s) + " on Docker " + version);
      }
      return null;
    });
  }

  /** A shim keeps its address unless the cluster gave it to someone else meanwhile. */
  private Future<Void> ensureShims() {
    Future<Void> chain = Future.succeededFuture();
    for (NetworkSpec s : specs.values()) {
      if (s.shim() == null) continue;
      chain = chain.compose(v -> vertx.executeBlocking(() -> HostShim.currentAddress(s.shim())))
          .compose(current -> ipam.allocate(s.name(), HostShim.leaseKey(config.nodeName()), current, false,
              config.nodeName(), Lease.KIND_HOST, holdMs))
          .compose(r -> vertx.executeBlocking(() -> {
            HostShim.ensure(s.shim(), s.dockerParent(), r.lease(), s.rangeFirst(), s.rangeLast());
            LOG.info("shim " + s.shim() + " on " + s.dockerParent() + ": " + r.lease().ip() + ", routes to " + s.name());
            return null;
          }));
    }
    return chain;
  }

  private Future<Void> registerApi() {
    if (!consumers.isEmpty()) return Future.succeededFuture();
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.NETWORK_ALLOCATE, this::allocate));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.NETWORK_RELEASE, this::release));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.NETWORK_LEASES, this::leases));
    return Future.all(consumers.stream().map(MessageConsumer::completion).collect(java.util.stream.Collectors.toList()))
        .mapEmpty();
  }

  /**
   * Renews what this member owns and frees what lost members owned, on every pool of the cluster. A pool of
   * this host missing from the cluster (every member holding a copy was lost at once) is defined again, and
   * this host's containers claim their addresses back.
   */
  private void renewAndExpire() {
    if (stopped) return;
    ipam.names().onSuccess(names -> {
      for (String net : names) {
        ipam.renew(net, config.nodeName(), holdMs).onComplete(ar -> {
          if (ar.failed() && renewFailing.add(net)) LOG.warning("renewing this member's leases on " + net + " failed: "
              + ar.cause().getMessage() + "; the others free them " + holdMs / 1000 + " s after the last renewal");
          else if (ar.succeeded() && renewFailing.remove(net)) LOG.info("renewing this member's leases on " + net + " works again");
        });
        ipam.expire(net).onSuccess(expired -> {
          if (!expired.isEmpty()) LOG.warning("freed " + expired.size() + " leases on " + net
              + " not renewed within their TTL plus grace (owner lost): " + expired);
        });
      }
      if (ready && !names.containsAll(specs.keySet())) {
        LOG.warning("the cluster lost pools of " + specs.keySet() + " (found " + names + "): defining them again;"
            + " this host's containers claim their addresses back");
        definePools().compose(v -> ensureShims()).compose(v -> provisioner.sweep());
      }
    });
  }

  private void allocate(Message<JsonObject> msg) {
    JsonObject b = msg.body() == null ? new JsonObject() : msg.body();
    String network = b.getString("network");
    String key = b.getString("containerId");
    String ip = b.getString("ip");
    if (network == null || network.isBlank() || key == null || key.isBlank()) {
      msg.fail(Addresses.IPAM_BAD_REQUEST, "network and containerId are required");
      return;
    }
    // a request naming the owner could make a lease that some live member renews for ever
    if (b.containsKey("host")) {
      msg.fail(Addresses.IPAM_BAD_REQUEST, "'host' cannot be named: a lease belongs to the member that answers");
      return;
    }
    if (key.startsWith(HostShim.leaseKey(""))) {
      msg.fail(Addresses.IPAM_BAD_REQUEST, "containerId '" + key + "' is reserved for the members' shim addresses");
      return;
    }
    ipam.allocate(network, key, ip, ip != null, config.nodeName(), Lease.KIND_API, holdMs).onComplete(ar -> {
      if (ar.failed()) fail(msg, ar.cause());
      else msg.reply(ar.result().lease().toJson().put("existing", ar.result().existing())
          .put("answeredBy", config.nodeName()));
    });
  }

  private void release(Message<JsonObject> msg) {
    JsonObject b = msg.body() == null ? new JsonObject() : msg.body();
    String network = b.getString("network");
    String key = b.getString("containerId");
    if (network == null || network.isBlank() || key == null || key.isBlank()) {
      msg.fail(Addresses.IPAM_BAD_REQUEST, "network and containerId are required");
      return;
    }
    ipam.release(network, key, null, null).onComplete(ar -> {
      if (ar.failed()) fail(msg, ar.cause());
      else msg.reply(ar.result().toJson().put("answeredBy", config.nodeName()));
    });
  }

  private void leases(Message<JsonObject> msg) {
    JsonObject b = msg.body() == null ? new JsonObject() : msg.body();
    String network = b.getString("network");
    String host = b.getString("host");
    Future<List<PoolState>> pools = network == null ? ipam.pools() : ipam.pool(network).map(List::of);
    pools.onComplete(ar -> {
      if (ar.failed()) {
        fail(msg, ar.cause());
        return;
      }
      JsonArray out = new JsonArray();
      for (PoolState p : ar.result()) {
        JsonArray leases = new JsonArray();
        for (Lease l : p.leases()) if (host == null || host.equals(l.owner())) leases.add(l.toJson());
        out.add(p.toJson().put("leases", leases));
      }
      msg.reply(new JsonObject().put("networks", out).put("answeredBy", config.nodeName()));
    });
  }

  private static void fail(Message<?> msg, Throwable cause) {
    if (cause instanceof IpamException) msg.fail(((IpamException) cause).code(), cause.getMessage());
    else msg.fail(Addresses.IPAM_UNAVAILABLE, String.valueOf(cause.getMessage()));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    ready = false;
    status.set(NodeConfig.Role.NETWORK, false, "stopped");
    List<Future<Void>> closing = new ArrayList<>();
    consumers.forEach(c -> closing.add(c.unregister()));
    if (watch != null) closing.add(watch.close());
    return Future.join(closing);
  }
}
