package io.dockline.gateway;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Server-Sent Events as the gateway's follows write them: one place for the answer's headers and each event's form. */
final class Sse {
  private Sse() {}

  /** Starts an event-stream answer with a first comment. */
  static void open(HttpServerResponse resp, String comment) {
    resp.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache").putHeader("X-Accel-Buffering", "no");
    resp.write(comment(comment));
  }

  static String comment(String text) {
    return ": " + text + "\n\n";
  }

  /** A {@code line} event with the id a reconnecting EventSource sends back as Last-Event-ID. */
  static String line(String id, JsonObject line) {
    return "id: " + id + "\nevent: line\ndata: " + line.encode() + "\n\n";
  }

  /** An event without an id (gap, trimmed, error): a reconnect does not resume from it. */
  static String event(String name, JsonObject data) {
    return "event: " + name + "\ndata: " + data.encode() + "\n\n";
  }

  /** The {@code gap} or {@code trimmed} event of seqs {@code from..to}, naming the container when one of many. */
  static String range(String name, String containerId, long from, long to) {
    JsonObject data = containerId == null ? new JsonObject() : new JsonObject().put("containerId", containerId);
    return event(name, data.put("from", from).put("to", to));
  }
}
