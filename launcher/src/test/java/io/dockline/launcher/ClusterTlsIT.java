package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.config.TlsFiles;
import io.dockline.routing.BoundedLoadRing;
import io.dockline.wire.Addresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster whose event bus runs over TLS with mutual authentication, and whose gateway serves HTTPS: a
 * collector node (with the gateway) and an agent-only node, each with a certificate of the test CA. A third
 * member joins Hazelcast with a certificate of another CA: it is in the membership, but its agent cannot deliver a
 * line to the collector, nor the agent node a line to its collector.
 * Last, a stale collector-registry entry of no member is ignored by the routers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ClusterTlsIT {
  private static final int LINES = 500;
  private final String run = "tls" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private TestPki pki;
  private TestPki otherPki;
  private NodeProcess collector;
  private NodeProcess agent;
  private final List<NodeProcess> nodes = new ArrayList<>();

  @BeforeAll
  void startCluster() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-tls-it");
    pki = TestPki.ca(work, "dockline");
    otherPki = TestPki.ca(work, "other");
    collector = member("col", pki.issue("col"), "--roles", "collector,router,gateway");
    TestPki.Pair https = pki.issue("gateway");
    collector.addArgs("--http-tls-key", https.key().toString(), "--http-tls-cert", https.cert().toString())
        .https(TlsFiles.trusting(pki.caPem));
    agent = member("agent", pki.issue("agent"), "--roles", "agent,router", "--include-names", run + "-good.*");
    collector.addArgs("--join", "127.0.0.1:" + collector.clusterPort + ",127.0.0.1:" + agent.clusterPort);
    agent.addArgs("--join", "127.0.0.1:" + collector.clusterPort);
    collector.start();
    agent.start();
    collector.awaitHealth(200, 120_000);
    awaitMemberReady("agent", true);
  }

  /** A member of this test's cluster with event-bus TLS: its key and certificate, trusting the test CA. */
  private NodeProcess member(String name, TestPki.Pair cert, String... args) throws Exception {
    NodeProcess n = new NodeProcess(name, work, args);
    n.clusterName = "it-tls-" + run;
    n.addArgs("--cluster-tls-key", cert.key().toString(), "--cluster-tls-cert", cert.cert().toString(),
        "--cluster-tls-ca", pki.caPem.toString(), "--ring-epsilon", "10");
    nodes.add(n);
    return n;
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (NodeProcess n : nodes) n.close();
    Docker.removeTestContainers();
  }

  @Test
  @Order(1)
  void linesCrossTheTlsEventBusFromTheAgentToTheCollector() throws Exception {
    String id = Docker.runDetached(run + "-good-1", false, script(LINES));
    collector.awaitStored(id, LINES, 60_000);
    List<JsonObject> lines = collector.allLines(id);
    assertEquals(LINES, lines.size());
    assertEquals("n 1", lines.get(0).getString("line"));
    assertEquals("agent", lines.get(0).getString("host"), "read by the agent node, stored by the collector node");
  }

  @Test
  @Order(2)
  void aMemberWhoseCertificateTheCaDidNotSignNeitherDeliversNorReceivesLines() throws Exception {
    // it joins Hazelcast (nothing there checks certificates) and trusts the CA, but its own certificate is another
    // CA's; it runs a collector, which the routers put on their ring since its registry entry is a member's
    NodeProcess rogue = member("rogue", otherPki.issue("rogue"), "--roles", "agent,router,collector,gateway",
        "--include-names", run + "-rogue.*");
    rogue.addArgs("--join", "127.0.0.1:" + collector.clusterPort);
    rogue.start();
    rogue.awaitHealth(200, 120_000); // its roles are up: it reads Docker and its router sees the collectors
    awaitMemberReady("rogue", false); // a member of the cluster, whom the collector node cannot ask how it is
    awaitRing(2);
    // one stream each way across the line between the members with the CA's certificates and the rogue
    String toRogue = createOwnedBy("rogue", run + "-good-r");
    String toCollector = createOwnedBy("col", run + "-good-c");
    String fromRogue = createOwnedBy("col", run + "-rogue-c");
    Docker.start(toRogue, toCollector, fromRogue);
    awaitLines(toCollector);
    // its router finds the collector node's collector out of reach and leaves it out of its in-sync replicas
    String failed = "collector col did not take a write";
    long end = System.currentTimeMillis() + 90_000;
    while (!rogue.log().contains(failed) && System.currentTimeMillis() < end) Thread.sleep(500);
    assertTrue(rogue.log().contains(failed), "the rogue member tried to deliver:\n" + rogue.log());
    assertEquals(List.of(), containersHeldBy(collector, "rogue"), "the collector node holds nothing the rogue sent");
    assertEquals(null, collector.container(fromRogue), "nor does it know the rogue's container");
    // (the rogue's own collector stores its own container's lines: it leaves the unreachable replica out)
    assertEquals(List.of(), containersHeldBy(rogue, "agent"), "no line of the agent node reached the rogue");
    assertTrue(rogue.log().contains("SSLHandshakeException"), "its event-bus connections fail their handshake");
    rogue.stop();
    nodes.remove(rogue);
    // the stream the rogue's collector held up goes to the real one once the rogue is gone, every line
    awaitLines(toRogue);
  }

  @Test
  @Order(3)
  void theGatewayServesHttpsOnlyAndTheClientTrustsItsCa() throws Exception {
    assertEquals(200, collector.get("/health").statusCode(), "HTTPS with the CA trusted");
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest overHttp = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.httpPort + "/health"))
        .timeout(Duration.ofSeconds(10)).build();
    assertThrows(IOException.class, () -> plain.send(overHttp, HttpResponse.BodyHandlers.ofString()),
        "plain HTTP gets no answer");
    HttpRequest untrusted = HttpRequest.newBuilder(URI.create(collector.url() + "/health"))
        .timeout(Duration.ofSeconds(10)).build();
    assertThrows(SSLHandshakeException.class, () -> plain.send(untrusted, HttpResponse.BodyHandlers.ofString()),
        "a client that does not trust the CA refuses the gateway");

    String[] trusted = NodeProcess.runJar("logs", "--url", collector.url(), "--tls-ca", pki.caPem.toString(),
        run + "-good-1");
    assertEquals("0", trusted[0], trusted[1]);
    assertEquals(LINES, trusted[1].lines().count(), "every line through the CLI over HTTPS");
    String[] refused = NodeProcess.runJar("status", "--url", collector.url());
    assertEquals("1", refused[0], refused[1]);
    assertTrue(refused[1].contains("TLS") && refused[1].contains("--tls-ca"), refused[1]);
    assertEquals(1, refused[1].trim().lines().count(), refused[1]);
  }

  @Test
  @Order(4)
  void routersIgnoreARegistryEntryWhoseMemberIsNotInTheCluster() throws Exception {
    // any process that reaches Hazelcast can write the map; this one writes an entry for a collector that is no
    // member (no member id) and one naming a member id that is not in the cluster, then leaves
    awaitRing(1); // the rogue of an earlier case is off the ring first
    try (ClusterClient stranger = ClusterClient.join("it-tls-" + run, collector.clusterPort)) {
      stranger.put(Addresses.COLLECTOR_REGISTRY_MAP, "ghost", new JsonObject().put("node", "ghost").put("ready", true));
      stranger.put(Addresses.COLLECTOR_REGISTRY_MAP, "ghost2", new JsonObject().put("node", "ghost2")
          .put("ready", true).put("memberId", "00000000-0000-0000-0000-000000000000"));
    }
    Thread.sleep(3_000); // three refreshes of the ring
    assertEquals(1.0, collector.metric("dockline_ring_collectors"), "the router's ring holds the real collector only");
    JsonArray onRing = new JsonObject(collector.get("/api/ring").body()).getJsonArray("collectors");
    assertEquals(1, onRing.size(), onRing.encode());
    assertEquals("col", onRing.getJsonObject(0).getString("node"));
    // the agent node's router too: every stream still reaches the collector
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) ids.add(Docker.runDetached(run + "-good-ghost" + i, false, script(100)));
    for (String id : ids) collector.awaitStored(id, 100, 60_000);
  }

  @Test
  @Order(5)
  void badTlsFilesSayOneLineAndExitWithStatusTwo() throws Exception {
    TestPki.Pair other = otherPki.issue("mismatch");
    String[] mismatch = NodeProcess.runJar("--http-tls-key", other.key().toString(),
        "--http-tls-cert", work.resolve("gateway.pem").toString());
    assertEquals("2", mismatch[0], mismatch[1]);
    assertEquals("dockline: invalid --http-tls-key '" + other.key() + "': not the key of the certificate "
        + work.resolve("gateway.pem"), mismatch[1].trim());
    String[] missing = NodeProcess.runJar("--cluster-tls-key", other.key().toString(),
        "--cluster-tls-cert", other.cert().toString(), "--cluster-tls-ca", work.resolve("absent.pem").toString());
    assertEquals("2", missing[0], missing[1]);
    assertEquals("dockline: invalid --cluster-tls-ca '" + work.resolve("absent.pem")
        + "': cannot read it (NoSuchFileException)", missing[1].trim());
  }

  /**
   * A container, created not started, whose stream's owner on the ring of collectors col and rogue is {@code owner}
   * (--ring-epsilon 10: every stream on its plain consistent-hash owner).
   */
  private static String createOwnedBy(String owner, String namePrefix) {
    BoundedLoadRing ring = BoundedLoadRing.build(List.of("col", "rogue"), Map.of(), 10);
    for (int i = 0; i < 40; i++) {
      String id = Docker.create(namePrefix + i, false, script(LINES));
      if (owner.equals(ring.owner(id))) return id;
      Docker.run("rm", "-f", id);
    }
    throw new AssertionError("no container id owned by " + owner + " in 40");
  }

  /** The names of the containers read on {@code host} whose metadata the node's collector stored. */
  private static List<String> containersHeldBy(NodeProcess node, String host) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(node.dataDir.resolve("collector"))) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        Path meta = dir.resolve("meta.json");
        if (!Files.exists(meta)) continue;
        JsonObject m = new JsonObject(Files.readString(meta));
        if (host.equals(m.getString("host"))) names.add(m.getString("name"));
      }
    }
    return names;
  }

  /** Waits until the collector node holds every line of the container. */
  private void awaitLines(String id) throws Exception {
    long end = System.currentTimeMillis() + 120_000;
    JsonObject c = null;
    while (System.currentTimeMillis() < end) {
      c = collector.container(id);
      if (c != null && c.getLong("lines") == LINES) return;
      Thread.sleep(250);
    }
    throw new AssertionError("container " + id + " stored " + c + ", expected " + LINES + " lines");
  }

  /** Waits until the collector node's router has {@code n} collectors on its ring. */
  private void awaitRing(int n) throws Exception {
    long end = System.currentTimeMillis() + 60_000;
    while (collector.metric("dockline_ring_collectors") != n) {
      if (System.currentTimeMillis() > end) throw new AssertionError("ring never had " + n + " collectors");
      Thread.sleep(200);
    }
  }

  /** Waits until the collector node's gateway shows the member {@code node} with this readiness. */
  private void awaitMemberReady(String node, boolean ready) throws Exception {
    long end = System.currentTimeMillis() + 90_000;
    String last = "";
    while (System.currentTimeMillis() < end) {
      last = collector.get("/api/cluster").body();
      for (Object o : new JsonObject(last).getJsonArray("members")) {
        JsonObject m = (JsonObject) o;
        if (node.equals(m.getString("node")) && m.getBoolean("ready", false) == ready) return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("member " + node + " never ready=" + ready + ": " + last);
  }

  /** Writes numbered lines after a pause in which the agent attaches (attach keeps no history). */
  private static String script(int lines) {
    return "sleep 2; i=0; while [ $i -lt " + lines + " ]; do i=$((i+1)); echo \"n $i\"; done";
  }
}
