package io.dockline.attach.gate;

import io.dockline.attach.impl.AgentDirs;
import io.dockline.config.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The agent's side of the start gate: answers the gate process's hold requests on the agent's own socket
 * ({@code DATA/agent/gate.sock}), each once the container's attach is open or at the bound, and keeps a gate
 * process running on the plugin socket (it adopts one that answers, starts one in a session of its own when
 * none does, and starts it again if it dies while the node runs).
 *
 * <p>The gate process, not the node, owns the plugin socket: it outlives a node that stops or is killed and
 * then lets every start through at once, so Docker never waits for a dead agent.
 */
public final class StartGate {
  private static final Logger LOG = Logger.getLogger(StartGate.class.getName());
  private static final long WATCH_MS = 3_000;

  private final Vertx vertx;
  private final Path pluginSocket;
  private final Path agentSocket;
  private final Path logFile;
  private final long holdMs;
  private final Function<GateRequest, Future<Void>> holder;
  private final Counter holds;
  private final Counter late;
  private final Timer held;
  private HttpServer server;
  private HttpClient client;
  private long watchTimer = -1;
  private volatile String state = "start gate: starting";
  private volatile boolean serving;
  private boolean spawning;

  /**
   * @param holder opens the named container's attach (or finds it open, or decides it needs none); the
   *               start is let through when its future completes, succeeded or not
   */
  public StartGate(Vertx vertx, Path pluginSocket, AgentDirs agentDirs, long holdMs, MeterRegistry registry,
                   String node, Function<GateRequest, Future<Void>> holder) {
    this.vertx = vertx;
    this.pluginSocket = pluginSocket;
    this.agentSocket = agentDirs.gateSocket();
    this.logFile = agentDirs.startGateLog();
    this.holdMs = holdMs;
    this.holder = holder;
    holds = Meters.counter(registry, node, "dockline.start.gate.holds", "container starts held by the start gate until their attach was open");
    late = Meters.counter(registry, node, "dockline.start.gate.late", "container starts let through at the start gate's bound, before their attach was open");
    held = Timer.builder("dockline.start.gate.held").description("how long the start gate held a container start")
        .tag("node", node).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
  }

  public Future<Void> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    try {
      Files.createDirectories(agentSocket.getParent());
      Files.deleteIfExists(agentSocket);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    server = vertx.createHttpServer();
    return server.requestHandler(this::onHold).listen(SocketAddress.domainSocketAddress(agentSocket.toString()))
        .compose(s -> AuthzPlugin.ownerOnly(agentSocket))
        .compose(v -> ensureGateProcess())
        .onComplete(ar -> watchTimer = vertx.setPeriodic(WATCH_MS, t -> ensureGateProcess()))
        .recover(e -> Future.succeededFuture()); // not serving is reported on /health, never fatal
  }

  /** Health detail: whether the gate process answers on the plugin socket. */
  public String state() {
    return state;
  }

  public boolean isServing() {
    return serving;
  }

  private void onHold(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST || !AuthzPlugin.HOLD_PATH.equals(req.path())) {
      req.response().setStatusCode(404).end();
      return;
    }
    req.body().onComplete(ar -> {
      GateRequest request;
      try {
        JsonObject o = ar.result().toJsonObject();
        request = new GateRequest(GateRequest.Action.valueOf(o.getString("action")), o.getString("container"),
            o.getInteger("stopSeconds", 0));
      } catch (RuntimeException e) {
        req.response().setStatusCode(400).end();
        return;
      }
      long t0 = System.nanoTime();
      Promise<Boolean> done = Promise.promise();
      long bound = holdMs + request.stopSeconds() * 1000L;
      long timer = vertx.setTimer(bound, t -> done.tryComplete(false));
      holder.apply(request).onComplete(x -> {
        vertx.cancelTimer(timer);
        done.tryComplete(true);
      });
      done.future().onComplete(inTime -> {
        long nanos = System.nanoTime() - t0;
        holds.increment();
        held.record(nanos, TimeUnit.NANOSECONDS);
        if (!inTime.result()) {
          late.increment();
          LOG.warning("a container start was let through after " + bound + " ms, before its attach stream was open:"
              + " its first lines may be missing");
        }
        req.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("late", !inTime.result()).put("heldMs", nanos / 1_000_000).encode());
      });
    });
  }

  /** Adopts the gate process answering on the plugin socket, or starts one. */
  private Future<Void> ensureGateProcess() {
    if (spawning) return Future.succeededFuture();
    return askGate().compose(info -> {
      String forwardsTo = info.getString("agentSocket");
      if (agentSocket.toString().equals(forwardsTo)) {
        setState(true, "start gate: serving on " + pluginSocket + " (gate process " + info.getLong("pid") + ")");
      } else {
        setState(false, "start gate: the gate process on " + pluginSocket + " (pid " + info.getLong("pid")
            + ") forwards to " + forwardsTo + ", not to this agent; stop it to let this node start its own");
      }
      return Future.<Void>succeededFuture();
    }, noGate -> spawnGateProcess());
  }

  private Future<JsonObject> askGate() {
    RequestOptions opts = new RequestOptions().setServer(SocketAddress.domainSocketAddress(pluginSocket.toString()))
        .setHost("localhost").setPort(80).setMethod(HttpMethod.GET).setURI(AuthzPlugin.INFO_PATH).setTimeout(2_000)
        .setConnectTimeout(1_000);
    return client.request(opts).compose(r -> r.send()).compose(resp -> resp.statusCode() == 200 ? resp.body()
        : Future.failedFuture("status " + resp.statusCode())).map(b -> b.toJsonObject());
  }

  private Future<Void> spawnGateProcess() {
    spawning = true;
    return vertx.executeBlocking(() -> {
      List<String> cmd = new ArrayList<>();
      if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid"); // not in the node's process group
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(List.of("-Xmx24m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), GateMain.class.getName(),
          "--start-gate-socket", pluginSocket.toString(), "--agent-socket", agentSocket.toString(),
          "--start-gate-timeout", Long.toString(holdMs)));
      new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
      return null;
    }, false).compose(v -> awaitGate(System.currentTimeMillis() + 20_000)).onComplete(ar -> {
      spawning = false;
      if (ar.failed()) {
        setState(false, "start gate: the gate process did not answer on " + pluginSocket + " (" + ar.cause().getMessage()
            + "; see " + logFile + ")");
      } else {
        LOG.info("started the start gate's process on " + pluginSocket + " (log: " + logFile + ")");
      }
    }).recover(e -> Future.succeededFuture());
  }

  private Future<Void> awaitGate(long deadline) {
    return askGate().compose(info -> {
      setState(true, "start gate: serving on " + pluginSocket + " (gate process " + info.getLong("pid") + ")");
      return Future.<Void>succeededFuture();
    }, e -> {
      if (System.currentTimeMillis() > deadline) return Future.failedFuture(e);
      Promise<Void> later = Promise.promise();
      vertx.setTimer(200, t -> awaitGate(deadline).onComplete(later));
      return later.future();
    });
  }

  private void setState(boolean ok, String detail) {
    if (!detail.equals(state) && !ok) LOG.warning(detail);
    serving = ok;
    state = detail;
  }

  /** Stops answering holds; the gate process stays and lets every start through at once until an agent is back. */
  public Future<Void> close() {
    if (watchTimer >= 0) vertx.cancelTimer(watchTimer);
    Future<Void> s = server == null ? Future.succeededFuture() : server.close();
    return s.eventually(() -> {
      try {
        Files.deleteIfExists(agentSocket);
      } catch (IOException ignored) {
        // a stale socket file only makes the gate's connect fail, which lets starts through
      }
      return client == null ? Future.succeededFuture() : client.close();
    });
  }
}
