package io.dockline.network.impl;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Network;
import io.dockline.docker.DockerConnection;
import io.dockline.network.NetworkSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The Docker calls of the provisioner, all blocking (run them on a worker), on the node's Docker client. */
public final class DockerHost {
  /** Label on the networks the provisioner created. */
  static final String MANAGED_LABEL = "dockline.network.managed";

  private final DockerClient docker;
  private final DockerConnection endpoint;

  public DockerHost(DockerConnection connection) {
    this.endpoint = connection;
    this.docker = connection.client();
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
}
