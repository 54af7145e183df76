package io.dockline.gateway;

import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.config.TlsFiles;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.logging.Logger;

/**
 * Role gateway: the HTTP API ({@link ApiRoutes}), the event-bus bridge ({@link Bridge}), health and metrics,
 * and the web console (static files under {@code webroot/console}, no build step).
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(GatewayVerticle.class.getName());

  private final NodeConfig config;
  private final NodeStatus status;
  private final PrometheusMeterRegistry registry;
  private Bridge bridge;
  private HttpServer server;

  public GatewayVerticle(NodeConfig config, NodeStatus status, PrometheusMeterRegistry registry) {
    this.config = config;
    this.status = status;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    status.set(NodeConfig.Role.GATEWAY, false, "starting");
    ClusterView view = new ClusterView(vertx, config, status);
    LogPages pages = new LogPages(view);
    GatewayMetrics metrics = new GatewayMetrics(registry, config.nodeName());
    FleetSearches searches = new FleetSearches(vertx, view, config.searchScanLines());
    ApiRoutes api = new ApiRoutes(vertx, view, pages, searches, metrics, config.maxTails(), config.followSettleMs(),
        !config.authTokens().isEmpty());
    bridge = new Bridge(vertx, config, view, pages, api, searches, metrics);
    return bridge.start().compose(v -> listen(router(api)));
  }

  private Router router(ApiRoutes api) {
    Router router = Router.router(vertx);
    router.route().handler(new HostCheck(config.httpHostnames(), config.httpHost()));
    new HealthRoutes(vertx, config, status).mount(router);
    router.get("/metrics").handler(this::metrics);
    BearerAuth auth = new BearerAuth(config.authTokens(), config.readTokens());
    OriginCheck sameOrigin = new OriginCheck(config.bridgeOrigins());
    for (String guarded : new String[] {"/api/*", "/bridge/*", "/eventbus/*"}) {
      router.route(guarded).handler(sameOrigin).handler(auth);
    }
    api.mount(router);
    bridge.mount(router);
    mountConsole(router);
    mountErrors(router);
    return router;
  }

  /** The console's files and the OpenAPI document: nothing else is under {@code webroot}. */
  private static void mountConsole(Router router) {
    router.get("/").handler(rc -> redirect(rc, "/console/"));
    // Vert.x routes "/console" for "/console/" too: only the bare path is sent on
    router.get("/console").handler(rc -> {
      if (rc.request().path().endsWith("/")) rc.next();
      else redirect(rc, "/console/");
    });
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
  }

  /** Whatever no route takes is a JSON 404; whatever fails is a JSON error with its status. */
  private static void mountErrors(Router router) {
    router.route().last().handler(rc -> Http.error(rc, 404, "no such resource: " + rc.request().path()));
    router.route().failureHandler(rc -> {
      if (rc.failure() instanceof ApiException) Http.fail(rc, rc.failure());
      else Http.error(rc, rc.statusCode() > 0 ? rc.statusCode() : 500,
          rc.failure() != null ? String.valueOf(rc.failure().getMessage())
              : rc.statusCode() == 413 ? "the request body is too large" : "request failed");
    });
  }

  private Future<HttpServer> listen(Router router) {
    HttpServerOptions options = config.httpTls().map(TlsFiles::httpServerOptions).orElseGet(HttpServerOptions::new)
        // plain HTTP stays HTTP/1.1: a client's "Upgrade: h2c" is answered as HTTP/1.1 (a JDK HttpClient that
        // upgraded was seen waiting for a /metrics body that never ended)
        .setHttp2ClearTextEnabled(false);
    return vertx.createHttpServer(options).requestHandler(router).listen(config.httpPort(), config.httpHost())
        .onSuccess(s -> {
          server = s;
          status.set(NodeConfig.Role.GATEWAY, true, "listening on " + config.httpHost() + ":" + s.actualPort());
          LOG.info("HTTP API on " + (options.isSsl() ? "https://" : "http://") + config.httpHost() + ":"
              + s.actualPort() + " (console /console/, bridge /eventbus, "
              + (config.tokenRequired() ? "bearer token required" : "no token required") + ")");
        })
        .onFailure(e -> LOG.severe("cannot listen on " + config.httpHost() + ":" + config.httpPort() + ": "
            + e.getMessage()));
  }

  private static void redirect(RoutingContext rc, String to) {
    rc.response().setStatusCode(302).putHeader("location", to).end();
  }

  private void metrics(RoutingContext rc) {
    rc.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
  }

  @Override
  public Future<?> stop() {
    status.set(NodeConfig.Role.GATEWAY, false, "stopped");
    Future<Void> bridgeStopped = bridge == null ? Future.succeededFuture() : bridge.stop();
    return bridgeStopped.compose(v -> server == null ? Future.succeededFuture() : server.close());
  }
}
