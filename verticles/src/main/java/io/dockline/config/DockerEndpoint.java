package io.dockline.config;

import io.vertx.core.net.SocketAddress;
import java.net.URI;

/** Where the Docker daemon listens: {@code unix:///path} or {@code tcp://host:port}. */
public final class DockerEndpoint {
  private final String uri;
  private final SocketAddress address;

  private DockerEndpoint(String uri, SocketAddress address) {
    this.uri = uri;
    this.address = address;
  }

  public static DockerEndpoint parse(String dockerHost) {
    if (dockerHost.startsWith("unix://")) {
      return new DockerEndpoint(dockerHost, SocketAddress.domainSocketAddress(dockerHost.substring("unix://".length())));
    }
    if (dockerHost.startsWith("tcp://")) {
      URI u = URI.create(dockerHost);
      return new DockerEndpoint(dockerHost, SocketAddress.inetSocketAddress(u.getPort() < 0 ? 2375 : u.getPort(), u.getHost()));
    }
    throw new IllegalArgumentException("invalid --docker-host '" + dockerHost + "': expected unix:///path or tcp://host:port");
  }

  public String uri() { return uri; }
  public SocketAddress address() { return address; }

  @Override
  public String toString() { return uri; }
}
