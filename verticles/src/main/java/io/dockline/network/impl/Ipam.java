package io.dockline.network.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.dockline.network.NetworkQuorum;
import io.dockline.wire.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** The cluster-wide pools, as futures on the verticle's context. Each call is one entry processor. */
public final class Ipam {
  private final IMap<String, PoolState> pools;
  private final Context context;
  private final String noQuorum;

  public Ipam(HazelcastInstance hz, Context context) {
    this.pools = hz.getMap(Addresses.IPAM_POOLS_MAP);
    this.context = context;
    this.noQuorum = NetworkQuorum.of(hz).refusal();
  }

  public Future<Void> define(PoolDefinition def) {
    return run(def.name, PoolProcessor.define(def)).mapEmpty();
  }

  public Future<IpamResult> allocate(String network, String key, String ip, boolean strict, String owner, String kind,
      long holdMs) {
    return run(network, PoolProcessor.allocate(key, ip, strict, owner, kind, holdMs));
  }

  public Future<Lease> release(String network, String key, String owner, String kind) {
    return run(network, PoolProcessor.release(key, owner, kind)).map(IpamResult::lease);
  }

  public Future<List<Lease>> renew(String network, String owner, long holdMs) {
    return run(network, PoolProcessor.renew(owner, holdMs)).map(IpamResult::leases);
  }

  public Future<List<Lease>> expire(String network) {
    return run(network, PoolProcessor.expire()).map(IpamResult::leases);
  }

  /** One pool as it is now (a copy). */
  public Future<PoolState> pool(String network) {
    return Future.fromCompletionStage(pools.getAsync(network), context).recover(this::unavailable)
        .compose(p -> p == null ? Future.failedFuture(new IpamException(Addresses.IPAM_UNKNOWN,
            "unknown network '" + network + "'")) : Future.succeededFuture(p));
  }

  /** Every pool, by name. */
  public Future<List<PoolState>> pools() {
    return context.owner().<List<PoolState>>executeBlocking(() -> new ArrayList<>(new TreeMap<>(pools).values()), false)
        .recover(this::unavailable);
  }

  /** The names of every pool in the cluster. */
  public Future<List<String>> names() {
    return context.owner().<List<String>>executeBlocking(() -> new ArrayList<>(pools.keySet()), false).recover(this::unavailable);
  }

  private Future<IpamResult> run(String network, PoolProcessor p) {
    return Future.fromCompletionStage(pools.submitToKey(network, p), context).recover(this::unavailable)
        .compose(r -> r.failed() ? Future.failedFuture(new IpamException(r.code(), r.message()))
            : Future.succeededFuture(r));
  }

  private <T> Future<T> unavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SplitBrainProtectionException) {
        return Future.failedFuture(new IpamException(Addresses.IPAM_UNAVAILABLE, noQuorum));
      }
    }
    return Future.failedFuture(new IpamException(Addresses.IPAM_UNAVAILABLE, "cluster pools unavailable: " + t));
  }
}
