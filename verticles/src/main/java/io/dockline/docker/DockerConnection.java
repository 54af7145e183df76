package io.dockline.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.dockline.config.DockerEndpoint;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * The node's one docker-java client, for its {@code docker-host} setting: the control plane of every role that
 * talks to Docker (list, inspect, events, network calls). The node opens it before its roles and closes it once,
 * after them; a role never closes it. Thread rules: docker-java calls block, run them on a worker; the client is
 * safe to share between threads.
 */
public record DockerConnection(DockerEndpoint endpoint, DockerClient client) implements Closeable {
  /** Enough for the roles' calls in flight together; each event subscription holds one connection. */
  private static final int MAX_CONNECTIONS = 32;

  /**
   * A client for {@code unix:///path} or {@code tcp://host:port}; nothing is connected until the first call.
   * @throws IllegalArgumentException for a Docker host of another form
   */
  public static DockerConnection open(String dockerHost) {
    DockerEndpoint endpoint = DockerEndpoint.parse(dockerHost);
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(endpoint.uri()).build();
    DockerClient client = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost()).maxConnections(MAX_CONNECTIONS).connectionTimeout(Duration.ofSeconds(5))
        .build());
    return new DockerConnection(endpoint, client);
  }

  /** What a failed Docker call says: the innermost cause's message (docker-java wraps the socket's error). */
  public static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m;
  }

  @Override
  public void close() throws IOException {
    client.close();
  }

  @Override
  public String toString() { return endpoint.toString(); }
}
