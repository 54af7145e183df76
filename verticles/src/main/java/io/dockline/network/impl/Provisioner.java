package io.dockline.network.impl;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Event;
import io.dockline.network.NetworkSpec;
import io.dockline.wire.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * Keeps this host's containers and the cluster's leases in agreement: a container labelled
 * {@code dockline.network=<name>} (or attached to a managed network) is connected with its leased address;
 * an address it holds that the cluster gave to someone else is taken away; a removed container's lease is
 * freed. All on the verticle's context; one container is reconciled at a time (events come in bursts).
 */
public final class Provisioner {
  private static final Logger LOG = Logger.getLogger(Provisioner.class.getName());
  public static final String NETWORK_LABEL = "dockline.network";
  public static final String IP_LABEL = "dockline.ip";

  private final Vertx vertx;
  private final DockerHost docker;
  private final Ipam ipam;
  private final Map<String, NetworkSpec> specs;
  private final String member;
  private final long holdMs;
  private final Map<String, Future<Void>> inFlight = new HashMap<>();
  /** The last warning per container: events come in threes (create, connect, start), one line is enough. */
  private final Map<String, String> warned = new HashMap<>();

  public Provisioner(Vertx vertx, DockerHost docker, Ipam ipam, Map<String, NetworkSpec> specs, String member,
      long holdMs) {
    this.vertx = vertx;
    this.docker = docker;
    this.ipam = ipam;
    this.specs = specs;
    this.member = member;
    this.holdMs = holdMs;
  }

  /** Reacts to the Docker events that can change what a container should have. */
  public void onEvent(Event e) {
    String action = e.getAction() == null ? e.getStatus() : e.getAction();
    if (action == null || e.getActor() == null) return;
    if ("network".equals(e.getType() == null ? null : e.getType().getValue())) {
      Map<String, String> attrs = e.getActor().getAttributes();
      String container = attrs == null ? null : attrs.get("container");
      if ("connect".equals(action) && container != null && specs.containsKey(attrs.get("name"))) reconcile(container);
      return;
    }
    switch (action) {
      case "create":
      case "start":
      case "destroy":
        reconcile(e.getActor().getId());
        break;
      default:
        break;
    }
  }

  /**
   * Every container against every lease this member owns. Leases are read before the containers are listed:
   * a lease made after the listing (for a container the listing cannot know) is not mistaken for a leak.
   */
  public Future<Void> sweep() {
    if (specs.isEmpty()) return Future.succeededFuture();
    List<Future<PoolState>> pools = new ArrayList<>();
    for (String n : specs.keySet()) pools.add(ipam.pool(n));
    return Future.all(pools).compose(cf -> blocking(docker::containers).compose(containers -> {
      Set<String> present = new HashSet<>();
      List<Future<Void>> work = new ArrayList<>();
      for (Container c : containers) {
        present.add(c.getId());
        if (concernsUs(c)) work.add(reconcile(c.getId()));
      }
      for (int i = 0; i < pools.size(); i++) {
        for (Lease l : cf.<PoolState>resultAt(i).leases()) {
          if (member.equals(l.owner) && Lease.KIND_CONTAINER.equals(l.kind) && !present.contains(l.key)) {
            work.add(reconcile(l.key));
          }
        }
      }
      return Future.join(work).mapEmpty();
    }));
  }

  private boolean concernsUs(Container c) {
    if (c.getLabels() != null && c.getLabels().containsKey(NETWORK_LABEL)) return true;
    Map<String, ContainerNetwork> nets = c.getNetworkSettings() == null ? null : c.getNetworkSettings().getNetworks();
    if (nets != null) for (String n : nets.keySet()) if (specs.containsKey(n)) return true;
    return false;
  }

  /** One container, after whatever is already running for it. */
  public Future<Void> reconcile(String id) {
    Future<Void> previous = inFlight.getOrDefault(id, Future.succeededFuture());
    Future<Void> next = previous.transform(ar -> reconcileNow(id)).recover(err -> {
      LOG.warning("container " + shortId(id) + ": " + err.getMessage());
      return Future.succeededFuture();
    });
    inFlight.put(id, next);
    next.onComplete(ar -> inFlight.remove(id, next));
    return next;
  }

  private Future<Void> reconcileNow(String id) {
    return blocking(() -> docker.inspect(id)).compose(info -> {
      if (info == null) return releaseEverywhere(id);
      Map<String, String> labels = info.getConfig() == null || info.getConfig().getLabels() == null
          ? Map.of() : info.getConfig().getLabels();
      String wanted = labels.get(NETWORK_LABEL);
      if (wanted != null && !specs.containsKey(wanted)) {
        warn(id, "container " + name(info) + " asks for network '" + wanted + "', not configured on this host");
      }
      Map<String, ContainerNetwork> attached = info.getNetworkSettings() == null
          || info.getNetworkSettings().getNetworks() == null ? Map.of() : info.getNetworkSettings().getNetworks();
      List<Future<Void>> all = new ArrayList<>();
      for (String net : specs.keySet()) {
        boolean labelled = net.equals(wanted);
        all.add(reconcileOn(net, info, attached.get(net), labelled, labelled ? labels.get(IP_LABEL) : null));
      }
      return Future.join(all).mapEmpty();
    });
  }

  /**
   * One container on one network. The address it has is kept only if the cluster leases it to this container;
   * otherwise it is disconnected and connected again with its lease. Asked for with {@code dockline.ip}: that
   * address or nothing.
   */
  private Future<Void> reconcileOn(String net, InspectContainerResponse info, ContainerNetwork endpoint,
      boolean labelled, String requestedIp) {
    String id = info.getId();
    if (!labelled && endpoint == null) return releaseMine(net, id);
    String current = DockerHost.addressOn(endpoint);
    boolean strict = requestedIp != null && !requestedIp.isBlank();
    return ipam.allocate(net, id, strict ? requestedIp : current, strict, member, Lease.KIND_CONTAINER, holdMs)
        .compose(r -> {
          Lease lease = r.lease();
          if (DockerHost.pinnedTo(endpoint, lease.ip())) return Future.<Void>succeededFuture();
          return blocking(() -> {
            if (endpoint != null) docker.disconnect(net, id);
            docker.connect(net, id, lease);
            return null;
          }).<Void>mapEmpty().onSuccess(v -> LOG.info("container " + name(info) + " connected to " + net + " as "
              + lease.ip() + (current == null || current.equals(lease.ip()) ? "" : " (it had " + current + ")")));
        }, err -> {
          if (!(err instanceof IpamException) || ((IpamException) err).code() == Addresses.IPAM_UNAVAILABLE) {
            return Future.failedFuture(err);
          }
          warn(id, "container " + name(info) + " gets no address on " + net + ": " + err.getMessage());
          if (endpoint == null) return Future.succeededFuture();
          // what it has was not leased to it: an address another container may hold
          return blocking(() -> {
            docker.disconnect(net, id);
            return null;
          }).<Void>mapEmpty().onSuccess(v -> LOG.warning("container " + name(info) + " disconnected from " + net));
        });
  }

  private Future<Void> releaseEverywhere(String id) {
    List<Future<Void>> all = new ArrayList<>();
    for (String net : specs.keySet()) all.add(releaseMine(net, id));
    warned.remove(id);
    return Future.join(all).mapEmpty();
  }

  /** Frees a container lease this member holds; anything else (no lease, someone else's, an API lease) stays. */
  private Future<Void> releaseMine(String net, String id) {
    return ipam.release(net, id, member, Lease.KIND_CONTAINER)
        .onSuccess(l -> LOG.info("released " + l.ip() + " on " + net + " (container " + shortId(id) + " removed)"))
        .<Void>mapEmpty()
        .recover(err -> err instanceof IpamException && ((IpamException) err).code() != Addresses.IPAM_UNAVAILABLE
            ? Future.succeededFuture() : Future.failedFuture(err));
  }

  private void warn(String id, String message) {
    if (!message.equals(warned.put(id, message))) LOG.warning(message);
  }

  private <T> Future<T> blocking(Callable<T> call) {
    return vertx.executeBlocking(call, false);
  }

  private static String name(InspectContainerResponse info) {
    String n = info.getName();
    return n == null ? shortId(info.getId()) : n.startsWith("/") ? n.substring(1) : n;
  }

  private static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }
}
