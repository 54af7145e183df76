package io.dockline.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The bearer-token check for the API and the bridge; with no token configured the node is open and every
 * request gets full access. Several tokens may be valid at once (rotation: list
 * the new one beside the old, then drop the old), each with full access ({@code auth-token}) or read-only
 * ({@code read-token}). Browsers cannot put a header on an EventSource or a SockJS connection, so
 * {@code ?access_token=} is taken as well. The access a request was given is kept on its routing context
 * (a SockJS socket keeps the context it was opened with), see {@link #mayChange(RoutingContext)}.
 */
final class BearerAuth implements Handler<RoutingContext> {
  /** What a token allows. */
  enum Access { FULL, READ }

  private static final String ACCESS_KEY = "dockline.access";

  private final List<byte[]> full;
  private final List<byte[]> read;

  BearerAuth(List<String> fullTokens, List<String> readTokens) {
    this.full = fullTokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    this.read = readTokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  @Override
  public void handle(RoutingContext rc) {
    Access access = full.isEmpty() && read.isEmpty() ? Access.FULL : accessOf(presented(rc));
    if (access != null) {
      rc.put(ACCESS_KEY, access);
      rc.next();
      return;
    }
    rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"dockline\"");
    Http.error(rc, 401, "missing or wrong bearer token (header 'Authorization: Bearer <token>' or ?access_token=)");
  }

  /**
   * True when the request passed this check with full access (a full-access token, or no token configured);
   * false for a read-only token and for a request this check did not see.
   */
  static boolean mayChange(RoutingContext rc) {
    return rc != null && rc.get(ACCESS_KEY) == Access.FULL;
  }

  private static String presented(RoutingContext rc) {
    String header = rc.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) return header.substring(7).trim();
    return rc.queryParams().get("access_token");
  }

  /** The access the token gives, or null. */
  Access accessOf(String presented) {
    if (presented == null) return null;
    byte[] p = presented.getBytes(StandardCharsets.UTF_8);
    // constant time per token, and every token compared: which one matched must not show in the timing
    boolean isFull = false;
    boolean isRead = false;
    for (byte[] t : full) isFull |= MessageDigest.isEqual(t, p);
    for (byte[] t : read) isRead |= MessageDigest.isEqual(t, p);
    return isFull ? Access.FULL : isRead ? Access.READ : null;
  }
}
