package io.dockline.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.partition.NoDataMemberInClusterException;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Vert.x's Hazelcast cluster manager, for a cluster that may have no data member for a while: lite members
 * (agents, gateways, network members) started before any collector, or left when the last one went. Vert.x
 * keeps each node's address and event-bus subscriptions in cluster maps, and every map operation fails then
 * ({@link NoDataMemberInClusterException}), which would fail the node's start and every send. Here the member
 * keeps its own node info and subscriptions, answers lookups from them while there is no data member (so its
 * own consumers, the agent's router among them, are reached), and publishes them once a data member is there
 * (the maps of a cluster that had none are empty).
 *
 * <p>Thread rules: the cluster manager's callbacks run on Vert.x worker threads and Hazelcast event threads;
 * the state here is concurrent.
 */
final class LiteMemberClusterManager extends HazelcastClusterManager {
  private static final Logger LOG = Logger.getLogger(LiteMemberClusterManager.class.getName());
  /** How often a member with something unpublished looks for a data member. */
  private static final long PUBLISH_RETRY_MS = 1_000;

  /** This member's event-bus subscriptions by address, local-only ones included, as Vert.x registered them. */
  private final Map<String, Set<RegistrationInfo>> own = new ConcurrentHashMap<>();
  /** Set while this member's node info or subscriptions are not in the cluster maps for want of a data member. */
  private final AtomicBoolean unpublished = new AtomicBoolean();
  private Vertx vertx;

  LiteMemberClusterManager(Config config) {
    super(config);
  }

  @Override
  public void init(Vertx vertx) {
    super.init(vertx);
    this.vertx = vertx;
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    super.setNodeInfo(nodeInfo, publishedLater(promise));
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    super.getNodeInfo(nodeId, (info, e) -> {
      if (noDataMember(e) && nodeId.equals(getNodeId())) promise.succeed(getNodeInfo());
      else promise.complete(info, e);
    });
  }

  @Override
  public void addRegistration(String address, RegistrationInfo info, Completable<Void> promise) {
    own.computeIfAbsent(address, a -> ConcurrentHashMap.newKeySet()).add(info);
    super.addRegistration(address, info, publishedLater(promise));
  }

  /** A publication that failed for want of a data member succeeds: it is made again when one is there. */
  private Completable<Void> publishedLater(Completable<Void> promise) {
    return (v, e) -> {
      if (noDataMember(e)) {
        markUnpublished();
        promise.succeed();
      } else {
        promise.complete(v, e);
      }
    };
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo info, Completable<Void> promise) {
    own.computeIfPresent(address, (a, infos) -> {
      infos.remove(info);
      return infos.isEmpty() ? null : infos;
    });
    // with no data member, there is nothing to remove it from: the maps a data member brings are empty
    super.removeRegistration(address, info, (v, e) -> promise.complete(v, noDataMember(e) ? null : e));
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    super.getRegistrations(address, (infos, e) -> {
      if (noDataMember(e)) promise.succeed(new ArrayList<>(own.getOrDefault(address, new LinkedHashSet<>())));
      else promise.complete(infos, e);
    });
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    if (hasDataMember()) {
      super.memberRemoved(event);
      return;
    }
    // Vert.x would clean the member's entries from maps that are gone (and log that it failed): the last data
    // member took them with it, and this member's own entries are published to the next one
    markUnpublished();
  }

  private boolean hasDataMember() {
    return DataMembers.count(getHazelcastInstance()) > 0;
  }

  private void markUnpublished() {
    if (unpublished.compareAndSet(false, true)) vertx.setTimer(PUBLISH_RETRY_MS, t -> publishWhenDataMember());
  }

  private void publishWhenDataMember() {
    if (!isActive()) return;
    if (!hasDataMember()) {
      vertx.setTimer(PUBLISH_RETRY_MS, t -> publishWhenDataMember());
      return;
    }
    unpublished.set(false);
    List<Future<Void>> published = new ArrayList<>();
    Promise<Void> info = Promise.promise();
    super.setNodeInfo(getNodeInfo(), info);
    published.add(info.future());
    own.forEach((address, infos) -> {
      for (RegistrationInfo r : List.copyOf(infos)) {
        if (r.localOnly()) continue;
        Promise<Void> p = Promise.promise();
        super.addRegistration(address, r, p);
        published.add(p.future());
      }
    });
    Future.all(published).onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("a data member is there: this member's node info and " + (published.size() - 1)
            + " event-bus subscriptions are published");
      } else {
        LOG.fine(() -> "publishing to the data members failed, tried again: " + ar.cause());
        markUnpublished();
      }
    });
  }

  private static boolean noDataMember(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof NoDataMemberInClusterException) return true;
    return false;
  }
}
