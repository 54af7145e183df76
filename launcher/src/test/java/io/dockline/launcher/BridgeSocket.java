package io.dockline.launcher;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A client of the event-bus bridge's raw WebSocket ({@code /eventbus/websocket}), frame by frame. */
final class BridgeSocket implements AutoCloseable {
  private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  private final WebSocket ws;

  BridgeSocket(NodeProcess node, String token) throws Exception {
    this(node, token, true);
  }

  /** {@code keepReading} false: a client that stops reading after its first message (its TCP window fills). */
  BridgeSocket(NodeProcess node, String token, boolean keepReading) throws Exception {
    String uri = "ws://127.0.0.1:" + node.httpPort + "/eventbus/websocket" + (token == null ? "" : "?access_token=" + token);
    ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(uri), new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        return frame(w, data, last);
      }

      /** The raw WebSocket endpoint sends each bridge message as a binary frame of JSON text. */
      @Override
      public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
        return frame(w, StandardCharsets.UTF_8.decode(data), last);
      }

      private CompletionStage<?> frame(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          received.add(new JsonObject(partial.toString()));
          partial.setLength(0);
        }
        if (keepReading) w.request(1);
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
  }

  void send(JsonObject frame) throws Exception {
    sendText(frame.encode());
  }

  void sendText(String text) throws Exception {
    ws.sendText(text, true).get(5, TimeUnit.SECONDS);
  }

  void register(String address) throws Exception {
    send(new JsonObject().put("type", "register").put("address", address));
  }

  /** The first message received that {@code wanted} accepts, within 15 s. */
  JsonObject next(Predicate<JsonObject> wanted) throws InterruptedException {
    long end = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < end) {
      JsonObject m = received.poll(100, TimeUnit.MILLISECONDS);
      if (m != null && wanted.test(m)) return m;
    }
    throw new AssertionError("no such message within 15 s");
  }

  /** The next error frame ({@code {"type": "err", "body": why}}). */
  JsonObject nextError() throws InterruptedException {
    return next(m -> "err".equals(m.getString("type")) && m.getString("address") == null);
  }

  @Override
  public void close() throws Exception {
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> ws).get(5, TimeUnit.SECONDS);
    ws.abort();
  }
}
