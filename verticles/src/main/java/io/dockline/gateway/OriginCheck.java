package io.dockline.gateway;

import io.vertx.core.Handler;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Refuses browser requests to the API and the bridge from pages of other origins. A WebSocket or a form POST is
 * not held back by CORS, so without this any web page open in a browser on the operator's machine could read
 * logs through a node on 127.0.0.1, or allocate addresses. (A page whose own name was rebound to the node's
 * address is the same origin as far as this check sees: {@link HostCheck} refuses its host name.) Requests without an Origin header (services, curl) and
 * the gateway's own pages (the console) pass; other origins only when listed in {@code bridge-origins}.
 */
final class OriginCheck implements Handler<RoutingContext> {
  private final List<String> allowed;

  OriginCheck(List<String> allowed) {
    this.allowed = allowed;
  }

  @Override
  public void handle(RoutingContext rc) {
    String origin = rc.request().getHeader("Origin");
    if (origin == null || allowed.contains("*") || allowed.contains(origin) || sameOrigin(rc, origin)) {
      rc.next();
      return;
    }
    Http.error(rc, 403, "origin '" + origin + "' may not use the API or the bridge (setting bridge-origins)");
  }

  private static boolean sameOrigin(RoutingContext rc, String origin) {
    // the authority, not the Host header: an HTTP/2 request (h2c) carries no Host header
    HostAndPort a = rc.request().authority();
    if (a == null) return false;
    String host = a.port() < 0 ? a.host() : a.host() + ":" + a.port();
    return origin.equals("http://" + host) || origin.equals("https://" + host);
  }
}
