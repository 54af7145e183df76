package io.dockline.attach.gate;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Docker's authorization-plugin protocol on a unix socket, served by the start gate's own small process.
 *
 * <p>Every request is allowed. A container start or restart is first handed to the agent on its socket,
 * which answers once that container's attach stream is open; the answer to Docker waits for it. Whatever
 * goes wrong on the agent's side (not running, stopping, killed, slow) the request is allowed anyway: at
 * once when the agent's socket does not answer, at the bound otherwise. The gate never refuses a request,
 * so Docker stays usable as long as this process runs; it holds no state and is safe to restart.
 *
 * <p>{@code AuthZReq} bodies carry request bodies and headers (registry credentials among them): only their
 * method and URI are read; nothing of them is logged or kept.
 */
public final class AuthzPlugin {
  private static final Logger LOG = Logger.getLogger(AuthzPlugin.class.getName());
  /** Where a node asks the running gate what it is (Docker never calls it). */
  public static final String INFO_PATH = "/dockline/gate";
  /** The agent's path on its own socket: a {@link GateRequest} as JSON, answered when the start may go. */
  public static final String HOLD_PATH = "/hold";
  /** Larger {@code AuthZReq} bodies are allowed unread (Docker sends request bodies up to 1 MiB, base64). */
  private static final int MAX_BODY_BYTES = 4 << 20;
  private static final String ALLOW = new JsonObject().put("Allow", true).encode();
  private static final String ACTIVATE = "{\"Implements\":[\"authz\"]}";

  private final Vertx vertx;
  private final Path pluginSocket;
  private final Path agentSocket;
  private final long holdMs;
  private HttpServer server;
  private HttpClient agent;

  public AuthzPlugin(Vertx vertx, Path pluginSocket, Path agentSocket, long holdMs) {
    this.vertx = vertx;
    this.pluginSocket = pluginSocket;
    this.agentSocket = agentSocket;
    this.holdMs = holdMs;
  }

  /** Listens on the plugin socket (replacing a stale socket file left by a dead gate). */
  public Future<Void> start() {
    agent = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    try {
      Files.createDirectories(pluginSocket.getParent());
      Files.deleteIfExists(pluginSocket);
    } catch (java.io.IOException e) {
      return Future.failedFuture(e);
    }
    server = vertx.createHttpServer(new HttpServerOptions().setMaxHeaderSize(64 * 1024));
    return server.requestHandler(this::handle).listen(SocketAddress.domainSocketAddress(pluginSocket.toString()))
        .compose(s -> ownerOnly(pluginSocket))
        .onSuccess(v -> LOG.info("start gate serving Docker's authorization calls on " + pluginSocket
            + "; starts are held until the agent at " + agentSocket + " has attached (at most " + holdMs + " ms)"));
  }

  /** Only the socket's owner (root, as Docker) may connect: a hold request can make the agent stop a container. */
  static Future<Void> ownerOnly(Path socket) {
    try {
      Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      return Future.succeededFuture();
    } catch (java.io.IOException | UnsupportedOperationException e) {
      return Future.failedFuture(e);
    }
  }

  private void handle(HttpServerRequest req) {
    switch (req.path()) {
      case "/Plugin.Activate":
        answer(req, ACTIVATE);
        return;
      case "/AuthZPlugin.AuthZReq":
        readBounded(req).onComplete(ar -> {
          Optional<GateRequest> start = ar.succeeded() && ar.result() != null ? startIn(ar.result()) : Optional.empty();
          if (start.isEmpty()) answer(req, ALLOW);
          else askAgent(start.get()).onComplete(x -> answer(req, ALLOW));
        });
        return;
      case INFO_PATH:
        answer(req, new JsonObject().put("agentSocket", agentSocket.toString()).put("holdMs", holdMs)
            .put("pid", ProcessHandle.current().pid()).encode());
        return;
      default:
        // AuthZRes and anything newer: allowed without reading further than needed
        req.handler(b -> { });
        req.endHandler(v -> answer(req, ALLOW));
    }
  }

  /** The body, or null when it is larger than any start request's (read to its end and dropped). */
  private static Future<Buffer> readBounded(HttpServerRequest req) {
    Promise<Buffer> body = Promise.promise();
    Buffer buf = Buffer.buffer();
    boolean[] tooLarge = {false};
    req.handler(chunk -> {
      if (tooLarge[0]) return;
      if (buf.length() + chunk.length() > MAX_BODY_BYTES) tooLarge[0] = true;
      else buf.appendBuffer(chunk);
    });
    req.endHandler(v -> body.tryComplete(tooLarge[0] ? null : buf));
    req.exceptionHandler(body::tryFail);
    return body.future();
  }

  private static Optional<GateRequest> startIn(Buffer body) {
    try {
      JsonObject o = body.toJsonObject();
      return GateRequest.of(o.getString("RequestMethod"), o.getString("RequestUri"));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Completes when the agent said the start may go, or failed to say so in time: either way it goes. */
  private Future<Void> askAgent(GateRequest start) {
    long bound = holdMs + start.stopSeconds() * 1000L + 1000; // the agent answers at its own bound first
    JsonObject json = new JsonObject().put("action", start.action().name()).put("container", start.containerRef())
        .put("stopSeconds", start.stopSeconds());
    RequestOptions opts = new RequestOptions().setServer(SocketAddress.domainSocketAddress(agentSocket.toString()))
        .setHost("localhost").setPort(80).setMethod(HttpMethod.POST).setURI(HOLD_PATH).setTimeout(bound)
        .setConnectTimeout(500);
    long t0 = System.nanoTime();
    return agent.request(opts).compose(r -> r.send(json.toBuffer())).compose(resp -> resp.body().map(resp.statusCode()))
        .<Void>map(code -> {
          if (code != 200) LOG.warning("agent answered " + code + " for a start; let through");
          return null;
        }).recover(e -> {
          long ms = (System.nanoTime() - t0) / 1_000_000;
          LOG.warning("no answer from the agent at " + agentSocket + " after " + ms + " ms (" + e.getMessage()
              + "); start let through without holding it");
          return Future.succeededFuture();
        });
  }

  private static void answer(HttpServerRequest req, String json) {
    if (req.response().ended()) return;
    req.response().putHeader("Content-Type", "application/vnd.docker.plugins.v1.2+json").end(json);
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
