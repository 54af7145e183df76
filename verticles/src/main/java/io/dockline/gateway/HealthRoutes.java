package io.dockline.gateway;

import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code /health}: the node, 200 when every role it runs is ready, 503 otherwise; {@code /health/{role}}: one
 * role (a vertx-health-check procedure per role), for an orchestrator probe that cares about one role.
 */
final class HealthRoutes {
  private final NodeConfig config;
  private final NodeStatus status;
  private final HealthChecks checks;

  HealthRoutes(Vertx vertx, NodeConfig config, NodeStatus status) {
    this.config = config;
    this.status = status;
    this.checks = HealthChecks.create(vertx);
    for (NodeConfig.Role role : config.roles()) {
      checks.register(role.label(), 2_000, p -> {
        JsonObject detail = status.toJson(config.roles()).getJsonObject("roles").getJsonObject(role.label());
        p.complete(status.isReady(role) ? Status.OK(detail) : Status.KO(detail));
      });
    }
  }

  void mount(Router router) {
    router.get("/health").handler(this::node);
    router.get("/health/:role").handler(this::role);
  }

  private void node(RoutingContext rc) {
    JsonObject body = status.toJson(config.roles());
    rc.response().setStatusCode(body.getBoolean("ready") ? 200 : 503)
        .putHeader("content-type", "application/json").end(body.encode());
  }

  private void role(RoutingContext rc) {
    String role = rc.pathParam("role").toLowerCase(Locale.ROOT);
    if (config.roles().stream().noneMatch(r -> r.label().equals(role))) {
      Http.error(rc, 404, "this node runs no role '" + role + "' (it runs " + config.roles() + ")");
      return;
    }
    checks.checkStatus(role).onSuccess(result -> {
      boolean up = Boolean.TRUE.equals(result.getUp());
      rc.response().setStatusCode(up ? 200 : 503).putHeader("content-type", "application/json")
          .end(result.toJson().put("node", config.nodeName()).encode());
    }).onFailure(e -> Http.error(rc, 500, String.valueOf(e.getMessage())));
  }
}
