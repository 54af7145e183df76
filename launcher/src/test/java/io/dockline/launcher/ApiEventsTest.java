package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A stream that stalls fails the test that reads it, within the read's deadline, instead of hanging CI. */
@Timeout(30)
class ApiEventsTest {
  @Test
  void aStalledStreamFailsTheReadAtItsDeadline() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", x -> {
      x.getResponseHeaders().add("content-type", "text/event-stream");
      x.sendResponseHeaders(200, 0);
      OutputStream out = x.getResponseBody();
      out.write("id: 1\nevent: line\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      try {
        done.await(); // then nothing more, the connection left open
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      x.close();
    });
    server.start();
    try {
      HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (Api.Events events = new Api.Events(r)) {
        assertEquals("1", events.next(Duration.ofSeconds(5)).getString("id"));
        long t0 = System.nanoTime();
        IOException stalled = assertThrows(IOException.class, () -> events.next(Duration.ofMillis(500)));
        assertTrue(stalled.getMessage().contains("no event within"), stalled.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "failed at the deadline");
      }
    } finally {
      done.countDown();
      server.stop(0);
    }
  }
}
