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
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Keeps this host's containers and the cluster's leases in agreement: a container labelled
 * {@code dockline.network=<name>} (or attached to a managed network) is connected with its leased address;
 * an address it holds that the cluster gave to someone else is taken away; a removed container's lease is
 * freed. All on the verticle's context; one container is reconciled at a time (events come in bursts).
 * Without quorum ({@code network-quorum}) it takes containers off the networks: at once those it connected in
 * the seconds before the member noticed (their leases may never have reached the other side), all of them when
 * the member asks it to (after the lease TTL), and it connects them again when the quorum is back.
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
  private final BooleanSupplier quorate;
  private final Map<String, Future<Void>> inFlight = new HashMap<>();
  /** When this member last connected a container with a new lease (monotonic ms): fenced at once on quorum loss. */
  private final Map<Attachment, Long> granted = new HashMap<>();
  /** Containers taken off a network for lack of quorum, with the address they had: connected again after it. */
  private final Map<Attachment, String> fenced = new HashMap<>();
  /** Every container is off the networks (no quorum for longer than the TTL): none is let on again until it is back. */
  private boolean offline;
  /** The last warning per container: events come in threes (create, connect, start), one line is enough. */
  private final Map<String, String> warned = new HashMap<>();

  /** A container on one of the managed networks. */
  private record Attachment(String container, String network) {}

  public Provisioner(Vertx vertx, DockerHost docker, Ipam ipam, Map<String, NetworkSpec> specs, String member,
      long holdMs, BooleanSupplier quorate) {
    this.vertx = vertx;
    this.docker = docker;
    this.ipam = ipam;
    this.specs = specs;
    this.member = member;
    this.holdMs = holdMs;
    this.quorate = quorate;
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
      for (String id : fencedContainers()) if (!present.contains(id) || !concernsUs(containers, id)) work.add(reconcile(id));
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

  private boolean concernsUs(List<Container> containers, String id) {
    for (Container c : containers) if (c.getId().equals(id)) return concernsUs(c);
    return false;
  }

  private Set<String> fencedContainers() {
    Set<String> ids = new HashSet<>();
    for (Attachment a : fenced.keySet()) ids.add(a.container());
    return ids;
  }

  /**
   * One container, after whatever is already running for it. Fencing does not wait for it: a reconcile may wait
   * long on a pool whose partition is on the other side of a cut, and it checks the quorum again when it has
   * its lease and after it connected.
   */
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
        // a container fenced off a network belongs on it as much as a labelled one
        boolean wants = labelled || fenced.containsKey(new Attachment(id, net));
        all.add(reconcileOn(net, info, attached.get(net), wants, labelled ? labels.get(IP_LABEL) : null));
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
      boolean wanted, String requestedIp) {
    String id = info.getId();
    Attachment at = new Attachment(id, net);
    if (!wanted && endpoint == null) return releaseMine(net, id);
    String current = DockerHost.addressOn(endpoint);
    boolean strict = requestedIp != null && !requestedIp.isBlank();
    String had = fenced.get(at);
    String preferred = strict ? requestedIp : current != null ? current : had == null || had.isEmpty() ? null : had;
    return ipam.allocate(net, id, preferred, strict, member, Lease.KIND_CONTAINER, holdMs)
        .compose(r -> {
          Lease lease = r.lease();
          if (!quorate.getAsBoolean()) {
            // lost meanwhile: the lease may live on this side only
            return endpoint == null ? remember(at, lease.ip()) : takeOff(at, "the quorum was lost while it was leased");
          }
          if (DockerHost.pinnedTo(endpoint, lease.ip())) {
            fenced.remove(at);
            if (!r.existing()) granted(at);
            return Future.<Void>succeededFuture();
          }
          return blocking(() -> {
            if (endpoint != null) docker.disconnect(net, id);
            docker.connect(net, id, lease);
            return null;
          }).<Void>mapEmpty().compose(v -> {
            // fencing does not wait for a reconcile: one that connected meanwhile is taken off again
            if (offline || !quorate.getAsBoolean()) return takeOff(at, "the quorum was lost while it was connected");
            fenced.remove(at);
            granted(at);
            LOG.info("container " + name(info) + " connected to " + net + " as " + lease.ip()
                + (preferred == null || preferred.equals(lease.ip()) ? "" : " (it had " + preferred + ")"));
            return Future.succeededFuture();
          });
        }, err -> {
          if (err instanceof IpamException && ((IpamException) err).code() == Addresses.IPAM_UNAVAILABLE
              && endpoint != null && !quorate.getAsBoolean() && (offline || !DockerHost.pinnedTo(endpoint, current))) {
            // nothing is leased without quorum: an address Docker gave it (or any, once all are off) may be another's
            warn(id, "container " + name(info) + " gets no address on " + net + ": " + err.getMessage());
            return takeOff(at, "no quorum");
          }
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
    for (String net : specs.keySet()) {
      fenced.remove(new Attachment(id, net));
      granted.remove(new Attachment(id, net));
      all.add(releaseMine(net, id));
    }
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

  private void granted(Attachment at) {
    long now = monotonicMs();
    granted.values().removeIf(t -> now - t > 60_000);
    granted.put(at, now);
  }

  /**
   * Quorum lost: takes off at once the containers connected with a new lease since {@code sinceMs} (monotonic):
   * such a lease may have been written on this side only, and the other side may give the address away as soon
   * as it drops this member.
   */
  public Future<Void> fenceRecent(long sinceMs) {
    List<Future<Void>> all = new ArrayList<>();
    for (Map.Entry<Attachment, Long> e : new ArrayList<>(granted.entrySet())) {
      Attachment at = e.getKey();
      if (e.getValue() >= sinceMs) all.add(takeOff(at, "connected just before the quorum was lost"));
    }
    return Future.join(all).mapEmpty();
  }

  /**
   * No quorum for longer than the lease TTL: every container of this host leaves the managed networks before the
   * other side may free its leases (TTL + grace after their last renewal) and give the addresses to others.
   */
  public Future<Void> fenceAll() {
    offline = true;
    if (specs.isEmpty()) return Future.succeededFuture();
    return blocking(docker::containers).compose(containers -> {
      List<Future<Void>> all = new ArrayList<>();
      for (Container c : containers) {
        Map<String, ContainerNetwork> nets = c.getNetworkSettings() == null ? null : c.getNetworkSettings().getNetworks();
        if (nets == null) continue;
        for (String net : nets.keySet()) {
          if (specs.containsKey(net)) {
            Attachment at = new Attachment(c.getId(), net);
            all.add(takeOff(at, "no quorum for longer than the lease TTL"));
          }
        }
      }
      return Future.join(all).mapEmpty();
    });
  }

  /** The quorum is back: containers may be connected again (the next sweep connects the fenced ones). */
  public void online() {
    offline = false;
  }

  /** Disconnects a container from one network, remembering the address it had (to ask for it again later). */
  private Future<Void> takeOff(Attachment at, String why) {
    return blocking(() -> docker.inspect(at.container())).compose(info -> {
      ContainerNetwork ep = info == null || info.getNetworkSettings() == null
          || info.getNetworkSettings().getNetworks() == null ? null : info.getNetworkSettings().getNetworks().get(at.network());
      if (ep == null) return Future.succeededFuture();
      String had = DockerHost.addressOn(ep);
      remember(at, had);
      return blocking(() -> {
        docker.disconnect(at.network(), at.container());
        return null;
      }).<Void>mapEmpty().onSuccess(v -> LOG.warning("container " + name(info) + " taken off " + at.network()
          + " (it had " + had + "): " + why + "; it is connected again when the quorum is back"));
    });
  }

  private Future<Void> remember(Attachment at, String address) {
    granted.remove(at);
    fenced.merge(at, address == null ? "" : address, (old, now) -> old.isEmpty() ? now : old);
    return Future.succeededFuture();
  }

  private static long monotonicMs() {
    return System.nanoTime() / 1_000_000;
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
