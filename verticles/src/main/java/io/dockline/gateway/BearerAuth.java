package io.dockline.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Optional bearer-token check for the API and the bridge. Browsers cannot put a header on an EventSource or
 * a SockJS connection, so {@code ?access_token=} is taken as well.
 */
final class BearerAuth implements Handler<RoutingContext> {
  private final byte[] token;

  BearerAuth(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext rc) {
    if (accepts(presented(rc))) {
      rc.next();
      return;
    }
    rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"dockline\"");
    Http.error(rc, 401, "missing or wrong bearer token (header 'Authorization: Bearer <token>' or ?access_token=)");
  }

  private static String presented(RoutingContext rc) {
    String header = rc.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) return header.substring(7).trim();
    return rc.queryParams().get("access_token");
  }

  private boolean accepts(String presented) {
    // constant time: how much of a guess matched must not show in the answer's timing
    return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
  }
}
