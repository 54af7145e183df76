package io.dockline.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A node's HTTP API as another service calls it, with the bearer token when the node wants one. */
final class Api {
  final String base;
  final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Api(NodeProcess node, String token) {
    this.base = "http://127.0.0.1:" + node.httpPort;
    this.token = token;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return b;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    // the request's timeout ends at the headers: the whole answer, body included, has a deadline too
    try {
      return http.sendAsync(request(path).build(), HttpResponse.BodyHandlers.ofString()).get(90, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("GET " + path + ": no whole answer within 90 s");
    }
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return http.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonObject getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
    return new JsonObject(r.body());
  }

  JsonArray getArray(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
    return new JsonArray(r.body());
  }

  /** The NDJSON lines of a logs answer. */
  List<JsonObject> lines(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
    List<JsonObject> out = new ArrayList<>();
    for (String l : r.body().split("\n")) if (!l.isEmpty()) out.add(new JsonObject(l));
    return out;
  }

  JsonObject container(String name) throws IOException, InterruptedException {
    for (Object o : getArray("/api/containers")) if (name.equals(((JsonObject) o).getString("name"))) return (JsonObject) o;
    return null;
  }

  void awaitStored(String name, long seq, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    JsonObject c = null;
    while (System.currentTimeMillis() < end) {
      c = container(name);
      if (c != null && c.getLong("lastSeq") >= seq) return;
      Thread.sleep(200);
    }
    throw new AssertionError(name + " stored " + c + ", expected lastSeq " + seq);
  }

  /**
   * A Server-Sent Events stream, read event by event. A thread of its own reads the stream, so {@link #next()}
   * waits at most {@link #EVENT_WAIT}: a stream that stalls fails the test instead of hanging it.
   */
  static final class Events implements AutoCloseable {
    static final Duration EVENT_WAIT = Duration.ofSeconds(30);
    private static final JsonObject END = new JsonObject();
    final int status;
    private final InputStream body;
    private final java.util.concurrent.BlockingQueue<JsonObject> events = new java.util.concurrent.LinkedBlockingQueue<>();

    Events(HttpResponse<InputStream> r) {
      this.status = r.statusCode();
      this.body = r.body();
      Thread reader = new Thread(this::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
      try {
        JsonObject e = new JsonObject();
        String l;
        while ((l = reader.readLine()) != null) {
          if (l.isEmpty()) {
            if (e.containsKey("data")) {
              events.add(e);
              e = new JsonObject();
            }
            continue;
          }
          if (l.startsWith(":")) continue;
          int colon = l.indexOf(": ");
          e.put(l.substring(0, colon), l.substring(colon + 2));
        }
      } catch (IOException closed) {
        // closed by close(), or the stream broke: next() says the stream ended
      } finally {
        events.add(END);
      }
    }

    /** The next event as {"event", "id", "data"}; comments are skipped. */
    JsonObject next() throws IOException, InterruptedException {
      return next(EVENT_WAIT);
    }

    JsonObject next(Duration wait) throws IOException, InterruptedException {
      JsonObject e = events.poll(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      if (e == null) throw new IOException("no event within " + wait.toMillis() + " ms");
      if (e == END) {
        events.add(END);
        throw new IOException("stream ended");
      }
      return e;
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  Events events(String path, String lastEventId) throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path).timeout(Duration.ofMinutes(5));
    if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
    return new Events(http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }
}
