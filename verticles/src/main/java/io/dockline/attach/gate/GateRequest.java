package io.dockline.attach.gate;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Docker API request the start gate holds: {@code POST [/vX.Y]/containers/{ref}/start} or {@code .../restart}.
 * {@code ref} is whatever the caller named the container by: an id, a unique id prefix, or a name.
 * {@code stopSeconds} is a restart's {@code t} (Docker's default 10 when absent), 0 for a start.
 */
public record GateRequest(Action action, String containerRef, int stopSeconds) {
  public enum Action { START, RESTART }

  /** Docker's stop timeout when a restart names none. */
  static final int DEFAULT_STOP_SECONDS = 10;
  private static final Pattern PATH = Pattern.compile("(?:/v[0-9]+(?:\\.[0-9]+)?)?/containers/([^/?#]+)/(start|restart)/?");

  /** The request to hold, if {@code method uri} is a start or restart; anything else is let through at once. */
  public static Optional<GateRequest> of(String method, String uri) {
    if (!"POST".equals(method) || uri == null) return Optional.empty();
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Matcher m = PATH.matcher(parsed.getRawPath() == null ? "" : parsed.getRawPath());
    if (!m.matches()) return Optional.empty();
    String ref = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
    if (ref.isEmpty()) return Optional.empty();
    if (m.group(2).equals("start")) return Optional.of(new GateRequest(Action.START, ref, 0));
    return Optional.of(new GateRequest(Action.RESTART, ref, stopSeconds(parsed.getRawQuery())));
  }

  private static int stopSeconds(String query) {
    if (query == null) return DEFAULT_STOP_SECONDS;
    for (String part : query.split("&")) {
      if (!part.startsWith("t=")) continue;
      try {
        int t = Integer.parseInt(part.substring(2));
        // -1 means "wait for ever" to Docker; the gate never holds that long
        return t < 0 ? DEFAULT_STOP_SECONDS : Math.min(t, 600);
      } catch (NumberFormatException e) {
        return DEFAULT_STOP_SECONDS;
      }
    }
    return DEFAULT_STOP_SECONDS;
  }
}
