package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What a hostile page, client or container can do to a gateway, against one all-in-one node from the fat jar
 * with two full tokens and a read-only one, low tail caps and a host name: nothing takes an address it should
 * not, fills the disk or memory, or reaches the node's log or the operator's terminal unescaped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HardeningIT {
  private static final String FULL = "full-new";
  private static final String OLD_FULL = "full-old";
  private static final String READER = "read-only";
  private static final int MAX_TAILS = 3;
  private static final int MAX_TAILS_PER_SOCKET = 2;
  private static final int LONG_LINES = 40;
  private final String run = "hd" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final String ticker = run + "-tick";
  private final String longLines = run + "-long";
  private final String escapes = run + "-esc";
  private final String fast = run + "-fast";
  private Path cwd;
  private NodeProcess node;
  private Api api;

  @BeforeAll
  void startNode() throws Exception {
    Path work = Files.createTempDirectory("dockline-hardening-it");
    cwd = Files.createDirectories(work.resolve("cwd"));
    node = new NodeProcess("hardened", work, "--auth-token", FULL + "," + OLD_FULL, "--read-token", READER,
        "--max-tails", String.valueOf(MAX_TAILS), "--max-tails-per-socket", String.valueOf(MAX_TAILS_PER_SOCKET),
        "--http-hostnames", "dockline.test",
        // the addresses that change leases are on the bridge only when listed, and only with a token set
        "--bridge-inbound", "dockline.api.logs,dockline.api.containers,dockline.api.cluster,dockline.ring.state,"
            + "dockline.network.leases,dockline.network.allocate,dockline.network.release");
    node.workingDir = cwd;
    node.start();
    Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none", "--name", ticker,
        Docker.IMAGE, "sh", "-c", "i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 0.1; done");
    node.awaitHealth(200, 120_000);
    api = new Api(node, FULL);
    api.awaitStored(ticker, 3, 60_000);
    node.baselineStreams = 1;
    // lines of 1,000,000 bytes each: a page of them is bounded by bytes long before its line limit
    String longId = Docker.create(longLines, false, "i=1; while [ $i -le " + LONG_LINES
        + " ]; do head -c 1000000 /dev/zero | tr '\\0' 'x'; echo \" $i\"; i=$((i+1)); done");
    String escId = Docker.create(escapes, false,
        "printf 'plain\\n\\033]0;pwned\\007\\033[31mred\\033[0m\\n'");
    node.startWhenAttached(longId, escId);
    api.awaitStored(longLines, LONG_LINES, 120_000);
    api.awaitStored(escapes, 2, 60_000);
  }

  @AfterAll
  void stopNode() throws Exception {
    if (node != null) node.close();
    Docker.removeTestContainers();
  }

  // --- 2. DNS rebinding: the Host header names the gateway, on every route ---

  /** A request as curl or a browser sends it, with the Host header given; the answer's status and body. */
  private String[] raw(String method, String path, String host, String... headers) throws IOException {
    try (Socket s = new Socket("127.0.0.1", node.httpPort)) {
      s.setSoTimeout(30_000);
      StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      for (String h : headers) req.append(h).append("\r\n");
      req.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new String[] {answer.substring(9, 12), answer.substring(answer.indexOf("\r\n\r\n") + 4)};
    }
  }

  @Test
  void aRebindingPageIsRefusedByItsHostNameOnEveryRoute() throws Exception {
    String evil = "evil.test:" + node.httpPort;
    String[] rebound = raw("GET", "/api/containers", evil, "Origin: http://" + evil, "Authorization: Bearer " + FULL);
    assertEquals("403", rebound[0], rebound[1]);
    assertTrue(new JsonObject(rebound[1]).getString("error").contains("'evil.test'"), rebound[1]);
    for (String path : List.of("/health", "/metrics", "/console/", "/openapi.json", "/bridge/dockline.api.cluster",
        "/eventbus/info")) {
      assertEquals("403", raw("GET", path, evil)[0], path);
    }
    assertEquals("403", raw("POST", "/bridge/dockline.api.cluster", "EVIL.test", "Authorization: Bearer " + FULL)[0]);
    // addresses, localhost and the listed name pass: probes and scrapers by address keep working
    for (String host : List.of("127.0.0.1:" + node.httpPort, "localhost:" + node.httpPort, "[::1]:" + node.httpPort,
        "dockline.test:" + node.httpPort, "10.1.2.3")) {
      assertEquals("200", raw("GET", "/health", host)[0], host);
    }
    assertEquals("200", raw("GET", "/api/containers", "dockline.test", "Authorization: Bearer " + FULL)[0]);
    // and a page of another origin is refused on the API too, not only on the bridge
    assertEquals("403", raw("GET", "/api/containers", "127.0.0.1:" + node.httpPort, "Origin: http://evil.test",
        "Authorization: Bearer " + FULL)[0]);
  }

  // --- 3. uploads: nothing written, the limit and the address before the body ---

  private HttpResponse<String> post(String path, String token, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A multipart/form-data body with one file part of {@code size} bytes, as {@code curl -F f=@FILE} sends it. */
  private static byte[] multipart(String boundary, int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"1MB\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    byte[] file = new byte[size];
    Arrays.fill(file, (byte) 'u');
    out.writeBytes(file);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  @Test
  void uploadsAreNeverWrittenAndTheAddressAndLimitComeBeforeTheBody() throws Exception {
    String type = "multipart/form-data; boundary=XyZ";
    byte[] upload = multipart("XyZ", 900_000);
    for (int i = 0; i < 5; i++) {
      assertEquals(403, post("/bridge/nope", FULL, type, upload).statusCode());
      assertEquals(415, post("/bridge/dockline.api.cluster", FULL, type, upload).statusCode());
      assertEquals(415, post("/eventbus/123/" + run + i + "/xhr_send", FULL, type, upload).statusCode());
    }
    assertFalse(Files.exists(cwd.resolve("file-uploads")), "an upload directory was made in the node's directory");
    try (var files = Files.walk(cwd)) {
      assertEquals(List.of(cwd), files.toList(), "the node wrote into its working directory");
    }
    // a refused address is refused before its body is read: no 413 for a large body sent there
    byte[] large = new byte[5 << 20];
    Arrays.fill(large, (byte) ' ');
    HttpResponse<String> refused = post("/bridge/nope", FULL, "application/json", large);
    assertEquals(403, refused.statusCode(), refused.body());
    // a body over the limit is refused by its Content-Length, before any of it is sent
    try (Socket s = new Socket("127.0.0.1", node.httpPort)) {
      s.setSoTimeout(15_000);
      s.getOutputStream().write(("POST /bridge/dockline.api.cluster HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
          + FULL + "\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] head = new byte[12];
      assertEquals(12, s.getInputStream().readNBytes(head, 0, 12));
      assertEquals("HTTP/1.1 413", new String(head, StandardCharsets.US_ASCII));
    }
  }

  // --- 4. bridge registrations: checked before a tail starts, capped per socket and per gateway ---

  private double tailsOpen() throws Exception {
    return node.metric("dockline_gateway_tails_open");
  }

  private void awaitTailsOpen(double expected) throws Exception {
    long end = System.currentTimeMillis() + 15_000;
    while (tailsOpen() != expected && System.currentTimeMillis() < end) Thread.sleep(100);
    assertEquals(expected, tailsOpen(), "live tails open");
  }

  @Test
  void registrationsTheBridgeRefusesStartNoTailAndTailsAreCapped() throws Exception {
    String tail = "dockline.tail.";
    awaitTailsOpen(0);
    try (BridgeSocket a = new BridgeSocket(node, FULL); BridgeSocket b = new BridgeSocket(node, READER)) {
      // over-long addresses (the bridge refuses them after its hook), and ones not permitted
      for (int i = 0; i < 40; i++) {
        a.register(tail + "x".repeat(300) + i);
        assertEquals("max_address_length_reached", a.nextError().getString("body"));
      }
      a.register("dockline.collector.hardened.write");
      assertEquals("access_denied", a.nextError().getString("body"));
      Thread.sleep(1000);
      assertEquals(0.0, tailsOpen(), "a refused registration started a tail");

      double refusedBefore = node.metric("dockline_gateway_tails_refused_total");
      a.register(tail + run + "-1");
      a.register(tail + run + "-2");
      a.register(tail + run + "-1"); // a second registration of one address: the bridge refuses it, no tail more
      assertEquals("address_already_registered", a.nextError().getString("body"));
      a.register(tail + run + "-3");
      assertEquals("rejected", a.nextError().getString("body"), "per-socket cap");
      awaitTailsOpen(2);
      b.register(tail + run + "-1"); // joins the running tail
      b.register(tail + run + "-4");
      awaitTailsOpen(MAX_TAILS);
      b.register(tail + run + "-5");
      assertEquals("rejected", b.nextError().getString("body"), "per-gateway cap");
      assertEquals(refusedBefore + 2, node.metric("dockline_gateway_tails_refused_total"));
      HttpResponse<String> follow = api.get("/api/containers/" + ticker + "/logs?follow=true&tail=0");
      assertEquals(503, follow.statusCode(), "an SSE follow counts against the same cap");
      assertTrue(follow.body().contains("max-tails"), follow.body());
      awaitTailsOpen(MAX_TAILS);
    }
    awaitTailsOpen(0);
    // with room again, a tail delivers
    try (BridgeSocket c = new BridgeSocket(node, READER)) {
      c.register(tail + ticker);
      JsonObject line = c.next(m -> (tail + ticker).equals(m.getString("address"))).getJsonObject("body");
      assertTrue(line.getString("line").startsWith("tick "), line.encode());
    }
    awaitTailsOpen(0);
  }

  @Test
  void aBridgeClientThatStopsReadingHoldsItsTailBackInsteadOfFillingTheGateway() throws Exception {
    awaitTailsOpen(0);
    int written = 10_000;
    // 10,000 lines of 5,000 bytes (50 MB), in bursts of 500
    String id = Docker.create(fast, false, "l=$(head -c 5000 /dev/zero | tr '\\0' f); i=0; while [ $i -lt 20 ]; do "
        + "yes \"$l\" | head -n 500; sleep 0.1; i=$((i+1)); done");
    double servedBefore = node.metric("dockline_gateway_lines_served_total");
    try (BridgeSocket slow = new BridgeSocket(node, READER, false)) {
      slow.register("dockline.tail." + fast);
      awaitTailsOpen(1);
      node.startWhenAttached(id);
      api.awaitStored(fast, written, 120_000);
      Thread.sleep(3000);
      double served = node.metric("dockline_gateway_lines_served_total") - servedBefore;
      // what waits in socket buffers and the connection's write queue, not the whole output
      assertTrue(served > 0 && served < written / 2.0, served + " of " + written + " lines given to a client that reads none");
    }
    awaitTailsOpen(0);
  }

  // --- 5. pages bounded by bytes ---

  @Test
  void aPageOfLongLinesIsBoundedByBytesAndPagingGetsEveryLine() throws Exception {
    String logs = "/api/containers/" + longLines + "/logs";
    HttpResponse<String> first = api.get(logs + "?limit=100000");
    assertEquals(200, first.statusCode());
    List<JsonObject> lines = new ArrayList<>();
    for (String l : first.body().split("\n")) if (!l.isEmpty()) lines.add(new JsonObject(l));
    assertTrue(first.body().length() <= (16 << 20) + 1_100_000, "a page of " + first.body().length() + " bytes");
    assertTrue(lines.size() < LONG_LINES, lines.size() + " lines in one page");
    assertEquals("true", first.headers().firstValue("X-Dockline-More").orElse(""));
    assertEquals(Long.toString(lines.get(lines.size() - 1).getLong("seq")),
        first.headers().firstValue("X-Dockline-Scanned-Through").orElse(""));
    // the bridge gives the same bounded page
    JsonObject viaBridge = new JsonObject(api.post("/bridge/dockline.api.logs",
        new JsonObject().put("container", longLines).put("limit", 100000).encode()).body());
    assertEquals(lines.size(), viaBridge.getJsonArray("lines").size());
    assertTrue(viaBridge.getBoolean("more"));
    // paging on gets every line, once, in order
    List<JsonObject> all = new ArrayList<>(lines);
    HttpResponse<String> page = first;
    while (page.headers().firstValue("X-Dockline-More").orElse("").equals("true")) {
      page = api.get(logs + "?limit=100000&after=" + page.headers().firstValue("X-Dockline-Scanned-Through").orElseThrow());
      for (String l : page.body().split("\n")) if (!l.isEmpty()) all.add(new JsonObject(l));
    }
    assertEquals(LONG_LINES, all.size());
    for (int i = 0; i < LONG_LINES; i++) {
      String line = all.get(i).getString("line");
      assertEquals(1_000_000 + (" " + (i + 1)).length(), line.length());
      assertTrue(line.endsWith(" " + (i + 1)));
    }
  }

  // --- 6. tokens: several at once, and read-only ones ---

  @Test
  void everyListedTokenIsAcceptedAndAReadOnlyOneChangesNothing() throws Exception {
    for (String token : List.of(FULL, OLD_FULL, READER)) {
      Api as = new Api(node, token);
      assertEquals(200, as.get("/api/containers").statusCode(), token);
      assertEquals(200, as.get("/api/containers/" + escapes + "/logs").statusCode(), token);
      assertEquals(200, as.post("/bridge/dockline.api.logs", new JsonObject().put("container", escapes).encode())
          .statusCode(), token);
    }
    assertEquals(401, new Api(node, "full-new,full-old").get("/api/containers").statusCode());
    assertEquals(401, new Api(node, null).get("/api/containers").statusCode());
    // allocating an address changes state: full tokens pass the check (no network role here: 503), a read one not
    String allocate = new JsonObject().put("network", "lan").put("containerId", run).encode();
    assertEquals(503, new Api(node, OLD_FULL).post("/bridge/dockline.network.allocate", allocate).statusCode());
    HttpResponse<String> refused = new Api(node, READER).post("/bridge/dockline.network.allocate", allocate);
    assertEquals(403, refused.statusCode());
    assertTrue(new JsonObject(refused.body()).getString("error").contains("read-only"), refused.body());
    try (BridgeSocket reader = new BridgeSocket(node, READER); BridgeSocket full = new BridgeSocket(node, FULL)) {
      JsonObject send = new JsonObject().put("type", "send").put("address", "dockline.network.release")
          .put("body", new JsonObject().put("network", "lan").put("containerId", run)).put("replyAddress", "r-release");
      reader.send(send);
      assertEquals("rejected", reader.nextError().getString("body"));
      full.send(send);
      JsonObject noNetworkRole = full.next(m -> "r-release".equals(m.getString("address")));
      assertEquals("NO_HANDLERS", noNetworkRole.getString("failureType"), noNetworkRole.encode());
      reader.send(new JsonObject().put("type", "send").put("address", "dockline.api.cluster").put("body", new JsonObject())
          .put("replyAddress", "r-cluster"));
      assertEquals("hardened", reader.next(m -> "r-cluster".equals(m.getString("address"))).getJsonObject("body")
          .getString("gateway"));
    }
  }

  // --- 8. small ones ---

  @Test
  void hugeTimesAndBadFiltersAreABadRequestOverHttpAndTheBridge() throws Exception {
    String huge = "99999999999999999999s";
    for (String param : List.of("since", "until")) {
      HttpResponse<String> r = api.get("/api/containers/" + escapes + "/logs?" + param + "=" + huge);
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(new JsonObject(r.body()).getString("error").contains("'" + param + "'"), r.body());
      HttpResponse<String> viaBridge = api.post("/bridge/dockline.api.logs?timeout=5000",
          new JsonObject().put("container", escapes).put(param, huge).encode());
      assertEquals(400, viaBridge.statusCode(), viaBridge.body());
    }
    assertEquals(400, api.get("/api/containers/" + escapes + "/logs?since=9999999999999d").statusCode());
    // a bad filter on the bridge is answered too, not left to time out
    HttpResponse<String> badLabel = api.post("/bridge/dockline.api.containers?timeout=5000", "{\"label\": \"=x\"}");
    assertEquals(400, badLabel.statusCode(), badLabel.body());
    try (BridgeSocket socket = new BridgeSocket(node, FULL)) {
      socket.send(new JsonObject().put("type", "send").put("address", "dockline.api.logs").put("replyAddress", "r-huge")
          .put("body", new JsonObject().put("container", escapes).put("since", huge)));
      JsonObject reply = socket.next(m -> "r-huge".equals(m.getString("address")));
      assertEquals("err", reply.getString("type"));
      assertEquals(400, reply.getInteger("failureCode"), reply.encode());
    }
  }

  @Test
  void whatOutsidersSendCannotForgeALineOfTheNodesLog() throws Exception {
    String forged = "2026-01-01 00:00:00.000 SEVERE Node: forged by " + run;
    try (BridgeSocket socket = new BridgeSocket(node, FULL)) {
      // the bridge logs the unknown type it got, as it got it
      socket.send(new JsonObject().put("type", "bogus\n" + forged).put("address", "x"));
      assertEquals("invalid_type", socket.nextError().getString("body"));
    }
    long end = System.currentTimeMillis() + 10_000;
    while (!node.log().contains(run) && System.currentTimeMillis() < end) Thread.sleep(100);
    assertTrue(node.log().contains("bogus\\n" + forged), "the message is logged, escaped\n" + node.log());
    assertFalse(node.log().lines().anyMatch(l -> l.startsWith(forged)), "a forged line in the node's log");
  }

  /** What {@code dockline logs ... CONTAINER} prints on stdout. */
  private String cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", NodeProcess.JAR.toString(), "logs", "--url",
        "http://127.0.0.1:" + node.httpPort, "--token", READER));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = Deadlines.killAfter(p, 60).getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    return new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void theCliShowsControlCharactersEscapedUnlessRaw() throws Exception {
    String shown = cli(escapes);
    assertEquals("plain\n\\e]0;pwned\\x07\\e[31mred\\e[0m\n", shown);
    String raw = cli("--raw", escapes);
    assertEquals("plain\n\u001b]0;pwned\u0007\u001b[31mred\u001b[0m\n", raw);
  }
}
