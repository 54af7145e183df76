package io.dockline.network.impl;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.dockline.config.DockerEndpoint;
import io.dockline.network.NetworkSpec;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/** The Docker calls of the provisioner, all blocking (run them on a worker). */
public final class DockerHost implements Closeable {
  /** Label on the networks the provisioner created. */
  static final String MANAGED_LABEL = "dockline.network.managed";

  private final DockerClient docker;
  private final DockerEndpoint endpoint;
  private Closeable events;

  public DockerHost(DockerEndpoint endpoint) {
    this.endpoint = endpoint;
    DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(endpoint.uri()).build();
    docker = DockerClientImpl.getInstance(cfg, new ZerodepDockerHttpClient.Builder()
        .dockerHost(cfg.getDockerHost()).maxConnections(16).connectionTimeout(Duration.ofSeconds(5)).build());
  }

  public String version() {
    return docker.versionCmd().exec().getVersion();
  }

  /**
   * Creates the macvlan network, or adopts one of the same name when it matches (driver, parent, subnet,
   * gateway); a different network of that name is an error, never replaced: containers may use it.
   * @return "created" or "adopted"
   */
  public String ensureNetwork(NetworkSpec spec) {
    Network existing = find(spec.name());
    String gateway = Ipv4.format(spec.gateway());
    if (existing == null) {
      Network.Ipam.Config ipam = new Network.Ipam.Config().withSubnet(spec.subnet()).withGateway(gateway);
      if (spec.dockerRange() != null) ipam.withIpRange(spec.dockerRange());
      docker.createNetworkCmd().withName(spec.name()).withDriver("macvlan")
          .withOptions(Map.of("parent", spec.dockerParent()))
          .withIpam(new Network.Ipam().withConfig(ipam))
          .withLabels(Map.of(MANAGED_LABEL, "1")).withCheckDuplicate(true).exec();
      return "created";
    }
    List<Network.Ipam.Config> configs = existing.getIpam() == null ? List.of() : existing.getIpam().getConfig();
    Network.Ipam.Config c = configs == null || configs.size() != 1 ? null : configs.get(0);
    String parent = existing.getOptions() == null ? null : existing.getOptions().get("parent");
    if (!"macvlan".equals(existing.getDriver()) || !spec.dockerParent().equals(parent) || c == null
        || !spec.subnet().equals(c.getSubnet()) || !gateway.equals(c.getGateway())) {
      throw new IllegalStateException("Docker at " + endpoint + " already has a network '" + spec.name()
          + "' that differs (driver " + existing.getDriver() + ", parent " + parent + ", ipam "
          + (c == null ? configs : c.getSubnet() + " gateway " + c.getGateway()) + "): remove or rename it");
    }
    return "adopted";
  }

  private Network find(String name) {
    for (Network n : docker.listNetworksCmd().withNameFilter(name).exec()) {
      if (name.equals(n.getName())) return docker.inspectNetworkCmd().withNetworkId(n.getId()).exec();
    }
    return null;
  }

  /** Null when the container is gone. */
  public InspectContainerResponse inspect(String id) {
    try {
      return docker.inspectContainerCmd(id).exec();
    } catch (NotFoundException e) {
      return null;
    }
  }

  public List<Container> containers() {
    return docker.listContainersCmd().withShowAll(true).exec();
  }

  /** Connects with the leased address (and the MAC derived from it, which daemons since API 1.44 honour). */
  public void connect(String network, String containerId, Lease lease) {
    docker.connectToNetworkCmd().withNetworkId(network).withContainerId(containerId)
        .withContainerNetwork(new ContainerNetwork()
            .withIpamConfig(new ContainerNetwork.Ipam().withIpv4Address(lease.ip()))
            .withMacAddress(lease.mac()))
        .exec();
  }

  public void disconnect(String network, String containerId) {
    try {
      docker.disconnectFromNetworkCmd().withNetworkId(network).withContainerId(containerId).withForce(true).exec();
    } catch (NotFoundException e) {
      // gone already: what disconnecting wanted
    }
  }

  /**
   * Container and network events until {@link #stopEvents()} (one subscription at a time); errors and the end of
   * the stream go to {@code onEnd}.
   */
  public synchronized void events(Consumer<Event> onEvent, Consumer<Throwable> onEnd) throws IOException {
    stopEvents();
    events = docker.eventsCmd().withEventTypeFilter("container", "network").exec(new ResultCallback.Adapter<Event>() {
      @Override
      public void onNext(Event e) {
        onEvent.accept(e);
      }

      @Override
      public void onError(Throwable t) {
        onEnd.accept(t);
      }

      @Override
      public void onComplete() {
        onEnd.accept(new IllegalStateException("Docker event stream ended"));
      }
    });
  }

  public synchronized void stopEvents() throws IOException {
    Closeable e = events;
    events = null;
    if (e != null) e.close();
  }

  /** The address a container has (or is configured to get) on a network, or null. */
  public static String addressOn(ContainerNetwork n) {
    if (n == null) return null;
    String configured = n.getIpamConfig() == null ? null : n.getIpamConfig().getIpv4Address();
    if (configured != null && !configured.isEmpty()) return configured;
    String actual = n.getIpAddress();
    return actual == null || actual.isEmpty() ? null : actual;
  }

  /** True when the endpoint is pinned to exactly this address (so Docker gives it again on restart). */
  public static boolean pinnedTo(ContainerNetwork n, String ip) {
    return n != null && n.getIpamConfig() != null && Objects.equals(n.getIpamConfig().getIpv4Address(), ip)
        && (n.getIpAddress() == null || n.getIpAddress().isEmpty() || n.getIpAddress().equals(ip));
  }

  @Override
  public void close() throws IOException {
    stopEvents();
    docker.close();
  }
}
