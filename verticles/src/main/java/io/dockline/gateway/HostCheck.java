package io.dockline.gateway;

import io.vertx.core.Handler;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Refuses requests addressed to a host name the gateway does not answer to (DNS rebinding): a page on
 * {@code evil.test} whose name is made to resolve to 127.0.0.1 reaches the node with {@code Host: evil.test},
 * and its own origin, so an origin check alone lets it through. IP literals, {@code localhost} (and names under
 * {@code .localhost}, which browsers resolve to loopback themselves) and the names in {@code http-hostnames}
 * pass, so probes and scrapers by address keep working; {@code *} there turns the check off.
 */
final class HostCheck implements Handler<RoutingContext> {
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+(%[0-9a-z._-]+)?");

  private final boolean any;
  private final Set<String> names;

  /** {@code names}: the configured host names; {@code httpHost} is added when it is a name. */
  HostCheck(List<String> names, String httpHost) {
    this.any = names.contains("*");
    this.names = names.stream().map(HostCheck::normalize).collect(Collectors.toCollection(HashSet::new));
    this.names.add(normalize(httpHost));
  }

  @Override
  public void handle(RoutingContext rc) {
    // the authority, not the Host header: an HTTP/2 request (h2c) carries no Host header
    HostAndPort a = rc.request().authority();
    if (a == null || accepts(a.host())) {
      rc.next();
      return;
    }
    Http.error(rc, 403, "host '" + a.host() + "' is not a name this gateway answers to (setting http-hostnames)");
  }

  /** True for an IP literal, localhost, or a configured name; a request without a host has no name to rebind. */
  boolean accepts(String host) {
    if (any || host == null || host.isEmpty()) return true;
    String h = normalize(host);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (IPV4.matcher(h).matches() || (h.contains(":") && IPV6.matcher(h).matches())) return true;
    if (h.equals("localhost") || h.endsWith(".localhost")) return true;
    return names.contains(h);
  }

  /** Lower case without one trailing dot: {@code Example.COM.} is {@code example.com}. */
  private static String normalize(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }
}
