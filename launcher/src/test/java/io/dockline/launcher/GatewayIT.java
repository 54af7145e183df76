package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway as another service and an operator use it, against one all-in-one node started from the fat jar
 * with a bearer token: the HTTP API, live tail over SSE, the event-bus bridge (POST and SockJS), the CLI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayIT {
  private static final String TOKEN = "it-secret-token";
  private final String run = "gw" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final String ticker = run + "-tick";
  private final String finite = run + "-finite";
  private NodeProcess node;
  private NodeProcess bare;
  private Api api;

  @BeforeAll
  void startNode() throws Exception {
    Path work = Files.createTempDirectory("dockline-gw-it");
    node = new NodeProcess("gateway", work, "--auth-token", TOKEN).start();
    // a second member of no cluster of its own, gateway only: nothing to route to, nothing to ask
    // a cluster of its own: it holds the (empty) cluster data itself, as no collector does
    bare = new NodeProcess("bare", work, "--roles", "gateway", "--data-member", "true").start();
    Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--label", "app=tick",
        "--log-driver", "none", "--name", ticker, Docker.IMAGE, "sh", "-c",
        "i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 0.05; done");
    node.awaitHealth(200, 120_000);
    api = new Api(node, TOKEN);
    api.awaitStored(ticker, 5, 60_000);
    node.baselineStreams = 1;
    String id = Docker.create(finite, false,
        "i=1; while [ $i -le 50 ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done");
    node.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    api.awaitStored(finite, 100, 60_000);
    bare.awaitHealth(200, 120_000);
  }

  @AfterAll
  void stopNodes() throws Exception {
    if (node != null) node.close();
    if (bare != null) bare.close();
    Docker.run("rm", "-f", ticker, finite);
  }

  @Test
  void theTokenGuardsApiAndBridgeButNotProbes() throws Exception {
    Api anonymous = new Api(node, null);
    for (String path : List.of("/api/containers", "/api/cluster", "/api/containers/" + finite + "/logs")) {
      HttpResponse<String> r = anonymous.get(path);
      assertEquals(401, r.statusCode(), path);
      assertTrue(new JsonObject(r.body()).getString("error").contains("bearer token"));
      assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    }
    assertEquals(401, anonymous.post("/bridge/dockline.api.cluster", "{}").statusCode());
    assertEquals(401, new Api(node, "wrong").get("/api/containers").statusCode());
    assertEquals(200, anonymous.get("/api/containers?access_token=" + TOKEN).statusCode());
    assertEquals(200, anonymous.get("/health").statusCode());
    assertEquals(200, anonymous.get("/metrics").statusCode());
    assertEquals(200, anonymous.get("/console/").statusCode());
  }

  @Test
  void clusterRingAndHealthPerRole() throws Exception {
    JsonObject cluster = api.getJson("/api/cluster");
    assertEquals("gateway", cluster.getString("gateway"));
    JsonArray members = cluster.getJsonArray("members");
    assertEquals(1, members.size(), cluster.encode());
    JsonObject me = members.getJsonObject(0);
    assertEquals("gateway", me.getString("node"));
    assertTrue(me.getBoolean("ready"));
    for (String role : List.of("agent", "router", "collector", "gateway")) {
      assertTrue(me.getJsonObject("roles").getJsonObject(role).getBoolean("ready"), role);
    }
    JsonObject ring = api.getJson("/api/ring");
    assertNotNull(ring.getValue("epsilon"));
    JsonObject collector = ring.getJsonArray("collectors").getJsonObject(0);
    assertEquals("gateway", collector.getString("node"));
    assertTrue(collector.getBoolean("ready"));
    for (String field : List.of("streams", "linesPerSecond", "bytesPerSecond")) assertNotNull(collector.getValue(field));

    HttpResponse<String> agent = api.get("/health/agent");
    assertEquals(200, agent.statusCode());
    assertEquals("UP", new JsonObject(agent.body()).getString("status"));
    assertEquals(404, api.get("/health/bogus").statusCode());
    assertEquals(404, new Api(bare, null).get("/health/agent").statusCode(), "a gateway-only node runs no agent");
    assertEquals(200, new Api(bare, null).get("/health/gateway").statusCode());
  }

  @Test
  void withoutRouterCollectorOrNetworkRoleTheAnswersSaySo() throws Exception {
    Api b = new Api(bare, null);
    HttpResponse<String> ring = b.get("/api/ring");
    assertEquals(503, ring.statusCode());
    assertTrue(new JsonObject(ring.body()).getString("error").contains("no router"), ring.body());
    HttpResponse<String> networks = b.get("/api/networks");
    assertEquals(503, networks.statusCode());
    assertEquals("network role not running", new JsonObject(networks.body()).getString("error"));
    for (String path : List.of("/api/containers", "/api/containers/anything/logs", "/api/containers/anything")) {
      HttpResponse<String> r = b.get(path);
      assertEquals(503, r.statusCode(), path);
      assertEquals("no collector is ready (role collector)", new JsonObject(r.body()).getString("error"));
    }
    assertEquals(503, b.post("/bridge/dockline.api.logs", "{\"container\":\"anything\"}").statusCode());
    assertEquals(200, b.get("/api/cluster").statusCode());
    HttpResponse<String> viaBridge = b.post("/bridge/dockline.ring.state", "{}");
    assertEquals(503, viaBridge.statusCode());
  }

  @Test
  void containersFilterByHostLabelAndName() throws Exception {
    assertEquals(List.of(ticker), names("/api/containers?label=app=tick"));
    assertEquals(List.of(ticker), names("/api/containers?label=app"));
    assertEquals(List.of(), names("/api/containers?label=app=other"));
    assertEquals(List.of(finite), names("/api/containers?name=" + run.toUpperCase() + "-FIN"));
    assertTrue(names("/api/containers?host=gateway").containsAll(List.of(ticker, finite)));
    assertEquals(List.of(), names("/api/containers?host=elsewhere"));
    assertEquals(400, api.get("/api/containers?label==x").statusCode());
    JsonObject one = api.getJson("/api/containers/" + finite);
    assertEquals("gateway", one.getString("collector"));
    assertEquals(100L, one.getLong("lastSeq"));
    assertEquals(404, api.get("/api/containers/" + run + "-nothing").statusCode());
  }

  private List<String> names(String path) throws Exception {
    List<String> out = new ArrayList<>();
    for (Object o : api.getArray(path)) {
      String n = ((JsonObject) o).getString("name");
      if (n.startsWith(run)) out.add(n);
    }
    out.sort(null);
    return out;
  }

  @Test
  void logsByPositionTimeAndText() throws Exception {
    String logs = "/api/containers/" + finite + "/logs";
    List<JsonObject> all = api.lines(logs);
    assertEquals(100, all.size());
    assertEquals(List.of(41L, 42L, 43L), seqs(api.lines(logs + "?after=40&limit=3")));
    assertEquals(List.of(98L, 99L, 100L), seqs(api.lines(logs + "?tail=3")));
    List<JsonObject> err7 = api.lines(logs + "?text=err%207");
    assertEquals(1, err7.size());
    assertEquals("stderr", err7.get(0).getString("stream"));
    assertEquals("err 7", err7.get(0).getString("line"));
    // since/until select by the time each line was read; bounds are inclusive
    String t20 = all.get(19).getString("time");
    String t30 = all.get(29).getString("time");
    List<JsonObject> window = api.lines(logs + "?since=" + t20 + "&until=" + t30);
    assertEquals(all.subList(19, 30), window);
    assertEquals(all.subList(19, 100), api.lines(logs + "?since=" + t20));
    assertEquals(100, api.lines(logs + "?since=1h").size());
    assertEquals(0, api.lines(logs + "?since=2099-01-01T00:00:00Z").size());
    HttpResponse<String> page = api.get(logs + "?limit=10");
    assertEquals("10", page.headers().firstValue("X-Dockline-Scanned-Through").orElse(""));
    assertEquals("true", page.headers().firstValue("X-Dockline-More").orElse(""));

    for (String bad : List.of("?limit=0", "?limit=x", "?after=-1", "?since=yesterday", "?until=5x", "?follow=maybe",
        "?follow=true&until=1h", "?since=1m&until=1h", "?tail=3&since=1h")) {
      HttpResponse<String> r = api.get(logs + bad);
      assertEquals(400, r.statusCode(), bad + " " + r.body());
      assertEquals(400, new JsonObject(r.body()).getInteger("status"));
    }
    HttpResponse<String> unknown = api.get("/api/containers/" + run + "-nothing/logs");
    assertEquals(404, unknown.statusCode());
    assertTrue(new JsonObject(unknown.body()).getString("error").contains(run + "-nothing"));
    assertEquals(404, api.get("/api/nothing").statusCode());
  }

  /** tail=N is the last N lines at the moment of the answer, on every path, also while the container writes fast. */
  @Test
  void tailGivesExactlyNLinesOfAWritingContainer() throws Exception {
    String writer = run + "-fast";
    Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none", "--name", writer,
        Docker.IMAGE, "sh", "-c", "i=0; while true; do i=$((i+1)); echo \"fast $i\"; done");
    try {
      api.awaitStored(writer, 1_000, 60_000);
      long first = api.container(writer).getLong("lastSeq");
      // at least 8 rounds, and as many more as it takes for the container to have written 100 lines meanwhile
      long end = System.currentTimeMillis() + 60_000;
      for (int i = 0; i < 8 || (api.container(writer).getLong("lastSeq") <= first + 100
          && System.currentTimeMillis() < end); i++) {
        long before = api.container(writer).getLong("lastSeq");
        List<Long> viaHttp = seqs(api.lines("/api/containers/" + writer + "/logs?tail=3"));
        HttpResponse<String> r = api.post("/bridge/dockline.api.logs",
            new JsonObject().put("container", writer).put("tail", 3).encode());
        assertEquals(200, r.statusCode(), r.body());
        List<Long> viaBridge = new ArrayList<>();
        for (Object l : new JsonObject(r.body()).getJsonArray("lines")) viaBridge.add(((JsonObject) l).getLong("seq"));
        long after = api.container(writer).getLong("lastSeq");
        for (List<Long> got : List.of(viaHttp, viaBridge)) {
          assertEquals(3, got.size(), () -> "tail=3 gave " + got.size() + " lines from seq " + got.get(0));
          assertEquals(List.of(got.get(0), got.get(0) + 1, got.get(0) + 2), got, "the last lines, consecutive");
          assertTrue(got.get(2) >= before && got.get(2) <= after, got + " within " + before + ".." + after);
        }
      }
      long last = api.container(writer).getLong("lastSeq");
      assertTrue(last > first + 100, "the container was writing meanwhile: " + first + " then " + last);
    } finally {
      Docker.run("rm", "-f", writer);
    }
  }

  private static List<Long> seqs(List<JsonObject> lines) {
    List<Long> out = new ArrayList<>();
    for (JsonObject l : lines) out.add(l.getLong("seq"));
    return out;
  }

  @Test
  void followStreamsNewLinesAsServerSentEventsAndResumesFromLastEventId() throws Exception {
    String path = "/api/containers/" + ticker + "/logs?follow=true&tail=0";
    long resumeFrom;
    try (Api.Events events = api.events(path, null)) {
      assertEquals(200, events.status);
      long stored = api.container(ticker).getLong("lastSeq");
      long prev = -1;
      for (int i = 0; i < 20; i++) {
        JsonObject e = events.next();
        assertEquals("line", e.getString("event"));
        JsonObject line = new JsonObject(e.getString("data"));
        assertEquals(Long.parseLong(e.getString("id")), line.getLong("seq"));
        if (prev >= 0) assertEquals(prev + 1, line.getLong("seq"), "consecutive, none skipped");
        else assertTrue(line.getLong("seq") >= stored - 5, "starts at the newest lines, not the first");
        assertTrue(line.getString("line").startsWith("tick "));
        prev = line.getLong("seq");
      }
      resumeFrom = prev - 10;
    }
    try (Api.Events resumed = api.events(path, Long.toString(resumeFrom))) {
      JsonObject e = resumed.next();
      assertEquals(resumeFrom + 1, Long.parseLong(e.getString("id")), "Last-Event-ID resumes right after it");
    }
    try (Api.Events filtered = api.events("/api/containers/" + ticker + "/logs?follow=true&tail=0&text=0", null)) {
      for (int i = 0; i < 3; i++) {
        JsonObject line = new JsonObject(filtered.next().getString("data"));
        assertTrue(line.getString("line").contains("0"), line.getString("line"));
      }
    }
  }

  @Test
  void bridgeRequestReplyOverHttp() throws Exception {
    HttpResponse<String> r = api.post("/bridge/dockline.api.logs",
        new JsonObject().put("container", finite).put("after", 10).put("limit", 5).encode());
    assertEquals(200, r.statusCode(), r.body());
    JsonObject page = new JsonObject(r.body());
    assertEquals(finite, page.getJsonObject("container").getString("name"));
    assertEquals(5, page.getJsonArray("lines").size());
    assertEquals(11L, page.getJsonArray("lines").getJsonObject(0).getLong("seq"));
    assertEquals(15L, page.getLong("scannedThrough"));

    JsonArray containers = new JsonArray(api.post("/bridge/dockline.api.containers",
        new JsonObject().put("label", "app=tick").encode()).body());
    assertEquals(ticker, containers.getJsonObject(0).getString("name"));
    assertEquals(200, api.post("/bridge/dockline.api.cluster", "").statusCode());
    assertEquals(200, api.post("/bridge/dockline.ring.state", "{}").statusCode());

    for (String origin : List.of("http://evil.example", "http://127.0.0.1:" + node.httpPort)) {
      HttpResponse<String> fromPage = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
              URI.create(api.base + "/bridge/dockline.api.cluster")).timeout(java.time.Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + TOKEN)
          .header("Origin", origin).POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(origin.contains("evil") ? 403 : 200, fromPage.statusCode(), origin + " " + fromPage.body());
    }

    HttpResponse<String> refused = api.post("/bridge/dockline.router.batch", "{}");
    assertEquals(403, refused.statusCode());
    assertTrue(new JsonObject(refused.body()).getString("error").contains("not permitted"));
    assertEquals(403, api.post("/bridge/" + "dockline.collector.gateway.query", "{\"op\":\"containers\"}").statusCode());
    HttpResponse<String> noHandler = api.post("/bridge/dockline.network.leases", "{}");
    assertEquals(503, noHandler.statusCode());
    assertEquals(400, api.post("/bridge/dockline.api.logs", "not json").statusCode());
    assertEquals(400, api.post("/bridge/dockline.api.logs", "{}").statusCode());
    assertEquals(400, api.post("/bridge/dockline.api.logs", "{\"container\":\"" + finite + "\",\"limit\":-1}").statusCode());
    assertEquals(404, api.post("/bridge/dockline.api.logs", "{\"container\":\"" + run + "-nothing\"}").statusCode());
  }

  @Test
  void sockJsBridgeAnswersRequestsStreamsATailAndRefusesTheRest() throws Exception {
    try (BridgeSocket ws = new BridgeSocket(node, TOKEN)) {
      ws.send(new JsonObject().put("type", "send").put("address", "dockline.api.cluster").put("body", new JsonObject())
          .put("replyAddress", "reply-1"));
      JsonObject reply = ws.next(m -> "reply-1".equals(m.getString("address")));
      assertEquals("gateway", reply.getJsonObject("body").getString("gateway"));

      ws.send(new JsonObject().put("type", "send").put("address", "dockline.router.batch").put("body", new JsonObject())
          .put("replyAddress", "reply-2"));
      JsonObject denied = ws.next(m -> "err".equals(m.getString("type")));
      assertEquals("access_denied", denied.getString("body"));

      String tail = "dockline.tail." + ticker;
      ws.register(tail);
      long prev = -1;
      for (int i = 0; i < 10; i++) {
        JsonObject msg = ws.next(m -> tail.equals(m.getString("address")));
        JsonObject line = msg.getJsonObject("body");
        assertTrue(line.getString("line").startsWith("tick "));
        if (prev >= 0) assertEquals(prev + 1, line.getLong("seq"));
        prev = line.getLong("seq");
      }
      ws.register("dockline.collector.gateway.write");
      assertEquals("access_denied", ws.next(m -> "err".equals(m.getString("type"))).getString("body"));
      assertTrue(node.metric("dockline_gateway_tails_open") >= 1);
    }
    long end = System.currentTimeMillis() + 10_000;
    while (node.metric("dockline_gateway_tails_open") > 0 && System.currentTimeMillis() < end) Thread.sleep(100);
    assertEquals(0.0, node.metric("dockline_gateway_tails_open"), "the tail stops when its last client goes");

    try {
      // a page of another site, open in the operator's browser, must not read logs through the bridge
      HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", "http://evil.example")
          .buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort + "/eventbus/websocket?access_token=" + TOKEN),
              new WebSocket.Listener() {})
          .orTimeout(30, TimeUnit.SECONDS).join();
      throw new AssertionError("the bridge took a connection from another origin");
    } catch (CompletionException e) {
      assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }
    try {
      HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort + "/eventbus/websocket"), new WebSocket.Listener() {})
          .orTimeout(30, TimeUnit.SECONDS).join();
      throw new AssertionError("the bridge took a connection without the token");
    } catch (CompletionException e) {
      assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
      assertEquals(401, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }
  }

  @Test
  void metricsOfTheGatewayAreScraped() throws Exception {
    api.lines("/api/containers/" + finite + "/logs");
    String metrics = new Api(node, null).get("/metrics").body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("dockline_gateway_lines_served_total{node=\"gateway\"}")
        && !l.endsWith(" 0.0")), metrics);
    for (String m : List.of("dockline_gateway_tails_open", "dockline_bridge_requests_total", "dockline_lines_stored_total",
        "dockline_lines_routed_total{node=\"gateway\"}", "dockline_bytes_routed_total",
        "dockline_batch_latency_seconds_bucket{node=\"gateway\",le=\"0.1\"}",
        "dockline_ring_streams{collector=\"gateway\",node=\"gateway\"}")) {
      assertTrue(metrics.contains(m), m + "\n" + metrics);
    }
  }

  // --- the CLI in the same jar ---

  private static String[] cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", NodeProcess.JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("DOCKLINE_AUTH_TOKEN");
    Path err = Files.createTempFile("dockline-cli", ".err");
    Process p = pb.redirectError(err.toFile()).start();
    String out = new String(Deadlines.killAfter(p, 60).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new String[] {String.valueOf(p.exitValue()), out, Files.readString(err)};
  }

  @Test
  void cliPrintsLogsAndStatus() throws Exception {
    String url = "http://127.0.0.1:" + node.httpPort;
    String[] logs = cli("logs", "--url", url, "--token", TOKEN, finite);
    assertEquals("0", logs[0], logs[2]);
    List<String> expectedOut = new ArrayList<>();
    List<String> expectedErr = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      expectedOut.add("out " + i);
      expectedErr.add("err " + i);
    }
    assertEquals(expectedOut, logs[1].lines().collect(java.util.stream.Collectors.toList()));
    assertEquals(expectedErr, logs[2].lines().collect(java.util.stream.Collectors.toList()));

    String[] json = cli("logs", "--url", url, "--token", TOKEN, "--json", "--tail", "2", finite);
    assertEquals(2, json[1].lines().count());
    assertEquals(100L, new JsonObject(json[1].lines().reduce((a, b) -> b).orElseThrow()).getLong("seq"));

    String[] status = cli("status", "--url", url, "--token", TOKEN);
    assertEquals("0", status[0], status[2]);
    assertTrue(status[1].contains("cluster: 1 member"), status[1]);
    assertTrue(status[1].contains(ticker) && status[1].contains(finite), status[1]);

    String[] bareStatus = cli("status", "--url", "http://127.0.0.1:" + bare.httpPort);
    assertEquals("0", bareStatus[0], bareStatus[2]);
    assertTrue(bareStatus[1].contains("ring: no router is running"), bareStatus[1]);
    assertTrue(bareStatus[1].contains("containers: no collector is ready"), bareStatus[1]);

    String[] noToken = cli("status", "--url", url);
    assertEquals("1", noToken[0]);
    assertTrue(noToken[2].contains("HTTP 401"), noToken[2]);
    String[] missing = cli("logs", "--url", url, "--token", TOKEN, run + "-nothing");
    assertEquals("1", missing[0]);
    assertEquals("dockline: no container '" + run + "-nothing' (HTTP 404)", missing[2].trim());
    String[] unreachable = cli("status", "--url", "http://127.0.0.1:" + NodeProcess.freePort());
    assertEquals("1", unreachable[0]);
    assertTrue(unreachable[2].startsWith("dockline: cannot reach a dockline node at http://127.0.0.1:"), unreachable[2]);
    assertEquals(1, unreachable[2].trim().lines().count());
    assertEquals("2", cli("logs")[0]);
  }

  @Test
  void cliFollowsAContainer() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("java", "-jar", NodeProcess.JAR.toString(), "logs", "-f", "--tail", "0",
        "--url", "http://127.0.0.1:" + node.httpPort, "--token", TOKEN, ticker);
    // killed at the deadline: a follow that prints nothing then ends the read below
    Process p = Deadlines.killAfter(pb.redirectError(ProcessBuilder.Redirect.DISCARD).start(), 60);
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8));
      long prev = -1;
      for (int i = 0; i < 10; i++) {
        String l = out.readLine();
        assertNotNull(l, "the follow ended");
        assertTrue(l.startsWith("tick "), l);
        long n = Long.parseLong(l.substring(5));
        if (prev >= 0) assertEquals(prev + 1, n);
        prev = n;
      }
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    assertFalse(p.isAlive());
  }

  @Test
  void openApiDocumentDescribesTheApi() throws Exception {
    JsonObject doc = new JsonObject(new Api(node, null).get("/openapi.json").body());
    assertTrue(doc.getString("openapi").startsWith("3."));
    for (String p : List.of("/api/cluster", "/api/ring", "/api/containers", "/api/containers/{idOrName}/logs",
        "/api/networks", "/bridge/{address}", "/health", "/metrics")) {
      assertTrue(doc.getJsonObject("paths").containsKey(p), p);
    }
  }
}
