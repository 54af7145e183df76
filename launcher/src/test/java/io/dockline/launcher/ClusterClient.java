package io.dockline.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test's own seat on the event bus: a Hazelcast lite member (it holds no data, so killing a node is still
 * losing that node's data) that sends requests the way the gateway does.
 */
final class ClusterClient implements AutoCloseable {
  private final Vertx vertx;
  private final HazelcastClusterManager cluster;

  private ClusterClient(Vertx vertx, HazelcastClusterManager cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
  }

  static ClusterClient join(String clusterName, int memberPort) throws Exception {
    return join(clusterName, "127.0.0.1", "127.0.0.1:" + memberPort);
  }

  /** Joins through {@code member} (host:port), bound to {@code host}. */
  static ClusterClient join(String clusterName, String host, String member) throws Exception {
    Config hz = new Config().setClusterName(clusterName).setLiteMember(true);
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.getNetworkConfig().setPort(NodeProcess.freePort()).setPortAutoIncrement(false)
        .getInterfaces().setEnabled(true).addInterface(host);
    hz.setProperty("hazelcast.local.localAddress", host);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(List.of(member));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost(host).setClusterPublicHost(host).setPort(0);
    HazelcastClusterManager cluster = new HazelcastClusterManager(hz);
    Vertx v = Vertx.builder().with(options).withClusterManager(cluster).buildClustered()
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new ClusterClient(v, cluster);
  }

  /**
   * Waits until the cluster counts {@code n} members (this one included): after a member is killed, requests
   * may still be routed to it (and time out) until the cluster has dropped it.
   */
  void awaitMembers(int n) throws InterruptedException {
    long end = System.currentTimeMillis() + 60_000;
    while (cluster.getNodes().size() != n) {
      if (System.currentTimeMillis() > end) throw new AssertionError("cluster has " + cluster.getNodes());
      Thread.sleep(50);
    }
  }

  /**
   * Waits until every partition has its owner and backups in sync (Hazelcast's "cluster safe"): a member lost
   * while partitions still migrate can take data with it that no split-brain rule protects.
   */
  void awaitSafe() throws InterruptedException {
    long end = System.currentTimeMillis() + 60_000;
    while (!cluster.getHazelcastInstance().getPartitionService().isClusterSafe()) {
      if (System.currentTimeMillis() > end) throw new AssertionError("partitions still migrating after 60 s");
      Thread.sleep(100);
    }
  }

  /** The reply's body, asynchronously. */
  Future<JsonObject> send(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(30_000))
        .map(m -> m.body());
  }

  /** {@code n} concurrent requests to {@code address} for keys {@code prefix0..prefix(n-1)} on a network; their replies. */
  List<JsonObject> forKeys(String address, String network, String prefix, int n) throws Exception {
    List<Future<JsonObject>> replies = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      replies.add(send(address, new JsonObject().put("network", network).put("containerId", prefix + i)));
    }
    Future.all(replies).toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    List<JsonObject> out = new java.util.ArrayList<>();
    for (Future<JsonObject> r : replies) out.add(r.result());
    return out;
  }

  /**
   * The reply's body; a failure reply as {@link ReplyException}. A request that times out or finds no handler
   * is sent again (5 s each, six times): one routed to a member that just died gets no answer.
   */
  JsonObject request(String address, JsonObject body) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(5_000))
            .map(m -> m.body()).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof ReplyException)) throw e;
        ReplyException r = (ReplyException) e.getCause();
        boolean unanswered = r.failureType() == io.vertx.core.eventbus.ReplyFailure.TIMEOUT
            || r.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS;
        if (!unanswered || attempt == 6) throw r;
      }
    }
  }

  /** The failure a request gets; an AssertionError when it succeeds. */
  ReplyException failure(String address, JsonObject body) throws Exception {
    try {
      JsonObject r = request(address, body);
      throw new AssertionError("expected a failure for " + body + ", got " + r);
    } catch (ReplyException e) {
      return e;
    }
  }

  /** Puts an entry into a cluster map, as any process that joined Hazelcast can. */
  void put(String map, String key, JsonObject value) throws Exception {
    vertx.sharedData().<String, JsonObject>getAsyncMap(map).compose(m -> m.put(key, value))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
