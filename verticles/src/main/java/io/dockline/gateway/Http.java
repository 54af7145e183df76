package io.dockline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;

/** How the gateway answers: JSON bodies, and JSON errors {@code {"error", "status"}}. */
final class Http {
  private Http() {}

  static void json(RoutingContext rc, Object body) {
    rc.response().putHeader("content-type", "application/json").end(io.vertx.core.json.Json.encode(body));
  }

  /** Answers with the future's JSON, or the error it failed with. */
  static void reply(RoutingContext rc, Future<?> result) {
    result.onSuccess(body -> json(rc, body)).onFailure(e -> fail(rc, e));
  }

  static void fail(RoutingContext rc, Throwable e) {
    ApiException a = e instanceof ApiException ? (ApiException) e : new ApiException(500, String.valueOf(e.getMessage()));
    error(rc, a.status, a.getMessage());
  }

  /**
   * Reads a request body of at most {@code limit} bytes into memory. A longer one is 413, by its Content-Length
   * before any of it is read; a multipart upload is 415. Nothing is ever written to disk.
   */
  static Handler<RoutingContext> bodyOf(long limit) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(limit);
    return rc -> {
      String type = rc.request().getHeader("Content-Type");
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
        error(rc, 415, "uploads are not taken (multipart body): send JSON");
      } else {
        body.handle(rc);
      }
    };
  }

  static void error(RoutingContext rc, int code, String message) {
    if (rc.response().ended() || rc.response().headWritten()) return;
    rc.response().setStatusCode(code).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", message).put("status", code).encode());
  }
}
