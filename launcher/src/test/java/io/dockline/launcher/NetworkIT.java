package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.wire.Addresses;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Role network on three hosts: three Docker daemons of their own on one veth pair (host 1 and 3 on one end,
 * host 2 on the other), three dockline members from the fat jar, and the test on the event bus as a lite
 * member. Network "lan" is a /21 (the 1,000 allocations), "tiny" (on a second veth pair) has five addresses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NetworkIT {
  static final long TTL_S = 4;
  static final long GRACE_S = 3;
  static final String SHIM = "dlnitshim";
  /** Member 3's TTL: long enough that its return is seen before its leases could expire. */
  static final long LONG_TTL_S = 120;
  private NetLab lab;
  private Path work;
  private final NodeProcess[] members = new NodeProcess[4];
  private final String clusterName = "it-net-" + ProcessHandle.current().pid();
  private ClusterClient bus;
  /** Containers by role in the story: a (host 1), b and b2 (host 2), c (host 2, asked for .50). */
  private final Map<String, String> ids = new HashMap<>();

  @BeforeAll
  void startHosts() throws Exception {
    lab = NetLab.start("dlnit", 3, 2);
    work = Files.createTempDirectory("dockline-net-it");
    for (int h = 1; h <= 3; h++) members[h] = started(member(h));
    for (int h = 1; h <= 3; h++) members[h].awaitHealth(200, 120_000);
    bus = ClusterClient.join(clusterName, members[1].clusterPort);
  }

  /** Member {@code h}: roles network (and gateway, for /health), its own Docker, its end of the links. */
  private NodeProcess member(int h) throws Exception {
    char side = h == 2 ? 'b' : 'a';
    JsonObject lan = new JsonObject().put("name", "lan").put("parent", lab.end(0, side)).put("subnet", "10.252.0.0/21")
        .put("gateway", "10.252.0.1").put("range", "10.252.0.10-10.252.7.200").put("dockerRange", "10.252.7.240/28");
    // the hosts share this machine's network namespace: one shim (host 1's) is all its routes can use
    if (h == 1) lan.put("shim", SHIM);
    // network members are lite members: host 1 (never stopped) holds the pools
    JsonObject conf = new JsonObject()
        .put("roles", new JsonArray().add("network").add("gateway")).put("data-member", h == 1)
        .put("network-lease-ttl", h == 3 ? LONG_TTL_S : TTL_S).put("network-lease-grace", GRACE_S)
        .put("networks", new JsonArray()
            .add(lan)
            .add(new JsonObject().put("name", "tiny").put("parent", lab.end(1, side)).put("subnet", "10.252.8.0/29")
                .put("range", "10.252.8.2-10.252.8.6")));
    Path file = work.resolve("m" + h + ".json");
    Files.writeString(file, conf.encodePrettily());
    List<String> args = new ArrayList<>(List.of("--conf", file.toString(), "--cluster-name", clusterName,
        "--docker-host", lab.dockerHost(h)));
    if (h != 1) args.addAll(List.of("--join", "127.0.0.1:" + members[1].clusterPort));
    return new NodeProcess("m" + h, work, args.toArray(new String[0]));
  }

  private NodeProcess started(NodeProcess m) throws Exception {
    m.start();
    lab.track(m.pid());
    return m;
  }

  @AfterAll
  void stopHosts() throws Exception {
    if (bus != null) bus.close();
    for (NodeProcess m : members) if (m != null) m.close();
    if (lab != null) lab.close();
  }

  @Test
  @Order(0)
  void aWrongNetworkIsOneLineAndExitStatusTwo() throws Exception {
    Process p = new ProcessBuilder("java", "-jar", NodeProcess.JAR.toString(), "--roles", "network", "--networks",
        "[{\"name\": \"lan\", \"parent\": \"eth0\", \"subnet\": \"10.252.0.0/24\", \"range\": \"10.252.0.10-10.252.1.5\"}]")
        .redirectErrorStream(true).start();
    String out = new String(Deadlines.killAfter(p, 60).getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue());
    assertEquals("dockline: invalid --networks: network 'lan': range '10.252.0.10-10.252.1.5' must lie inside "
        + "10.252.0.0/24 without its network and broadcast address", out);
  }

  @Test
  @Order(1)
  void thousandConcurrentAllocationsFromThreeMembersAreAllDistinct() throws Exception {
    int n = 1000;
    long t0 = System.nanoTime();
    List<JsonObject> replies = bus.forKeys(Addresses.NETWORK_ALLOCATE, "lan", "bulk-", n);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Set<String> addresses = new HashSet<>();
    Set<String> answeredBy = new HashSet<>();
    for (JsonObject r : replies) {
      assertTrue(addresses.add(r.getString("ip")), "duplicate " + r);
      answeredBy.add(r.getString("answeredBy"));
    }
    assertEquals(Set.of("m1", "m2", "m3"), answeredBy, "every member allocated");
    System.out.printf("NetworkIT: %d concurrent allocations from three members in %.2f s (%.0f/s)%n", n, seconds, n / seconds);
    JsonObject lan = network("lan");
    assertEquals(n + 1, lan.getJsonArray("leases").size(), "the bulk and host 1's shim");
    assertEquals(1983, lan.getInteger("size"));
    assertEquals(1983 - n - 1, lan.getInteger("free"));
    bus.forKeys(Addresses.NETWORK_RELEASE, "lan", "bulk-", n);
    assertEquals(1983 - 1, network("lan").getInteger("free"));
  }

  @Test
  @Order(2)
  void labelledContainersOnTwoHostsGetDistinctAddressesAndReachEachOther() throws Exception {
    ids.put("a", lab.docker(1, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600"));
    ids.put("b", lab.docker(2, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600"));
    ids.put("c", lab.docker(2, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        "dockline.ip=10.252.0.50", "--label", Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600"));
    String a = awaitPinned(1, ids.get("a"));
    String b = awaitPinned(2, ids.get("b"));
    assertEquals("10.252.0.50", awaitPinned(2, ids.get("c")), "dockline.ip is honoured");
    assertNotEquals(a, b);
    for (String key : List.of("a", "b", "c")) {
      int host = key.equals("a") ? 1 : 2;
      JsonObject lease = lease("lan", ids.get(key));
      assertNotNull(lease, key + " has a lease");
      assertEquals("m" + host, lease.getString("host"));
      assertEquals("container", lease.getString("kind"));
      assertEquals(lease.getString("mac"), endpoint(host, ids.get(key)).getString("MacAddress"), "MAC from the lease");
    }
    Set<String> onM2 = new HashSet<>();
    JsonObject perHost = bus.request(Addresses.NETWORK_LEASES, new JsonObject().put("host", "m2"));
    for (Object net : perHost.getJsonArray("networks")) {
      for (Object l : ((JsonObject) net).getJsonArray("leases")) onM2.add(((JsonObject) l).getString("containerId"));
    }
    assertEquals(Set.of(ids.get("b"), ids.get("c")), onM2, "leases per host");
    lab.docker(1, "exec", ids.get("a"), "ping", "-c", "2", "-W", "2", b);
    lab.docker(2, "exec", ids.get("b"), "ping", "-c", "2", "-W", "2", a);
    assertNoAddressTwiceOnAnyHost();
    // the host reaches containers through its shim (through the parent alone it cannot: macvlan)
    JsonObject shim = lease("lan", "host:m1");
    assertEquals("host", shim.getString("kind"));
    assertTrue(NetLab.sh("ip", "-4", "-o", "addr", "show", "dev", SHIM).contains(shim.getString("ip") + "/32"));
    NetLab.sh("busybox", "ping", "-c", "2", "-W", "2", a);
    NetLab.sh("busybox", "ping", "-c", "2", "-W", "2", b);
  }

  @Test
  @Order(3)
  void askingTwiceGetsTheSameAddress() throws Exception {
    JsonObject req = new JsonObject().put("network", "lan").put("containerId", "twice");
    JsonObject first = bus.request(Addresses.NETWORK_ALLOCATE, req);
    JsonObject second = bus.request(Addresses.NETWORK_ALLOCATE, req);
    assertEquals(first.getString("ip"), second.getString("ip"));
    assertFalse(first.getBoolean("existing"));
    assertTrue(second.getBoolean("existing"));
    bus.request(Addresses.NETWORK_RELEASE, req);
    // a restarted container asks Docker for its address again: it gets the same one, the lease is untouched
    JsonObject before = lease("lan", ids.get("a"));
    lab.docker(1, "restart", "-t", "0", ids.get("a"));
    assertEquals(before.getString("ip"), awaitPinned(1, ids.get("a")));
    assertEquals(before.getLong("createdAt"), lease("lan", ids.get("a")).getLong("createdAt"));
  }

  @Test
  @Order(4)
  void badRequestsGetAClearErrorAndChangeNothing() throws Exception {
    JsonObject before = network("lan");
    ReplyException e = bus.failure(Addresses.NETWORK_ALLOCATE, new JsonObject().put("network", "nope").put("containerId", "x"));
    assertEquals(Addresses.IPAM_UNKNOWN, e.failureCode());
    assertEquals("unknown network 'nope'", e.getMessage());
    e = bus.failure(Addresses.NETWORK_ALLOCATE, alloc("x", "10.252.7.250"));
    assertEquals(Addresses.IPAM_BAD_REQUEST, e.failureCode());
    assertEquals("10.252.7.250 is outside the range 10.252.0.10-10.252.7.200 of network lan", e.getMessage());
    e = bus.failure(Addresses.NETWORK_ALLOCATE, alloc("x", "10.252.0.300"));
    assertEquals(Addresses.IPAM_BAD_REQUEST, e.failureCode());
    e = bus.failure(Addresses.NETWORK_ALLOCATE, alloc("x", "10.252.0.50"));
    assertEquals(Addresses.IPAM_TAKEN, e.failureCode());
    assertEquals("10.252.0.50 on lan is taken by " + ids.get("c") + " on m2", e.getMessage());
    e = bus.failure(Addresses.NETWORK_ALLOCATE, new JsonObject().put("network", "lan"));
    assertEquals(Addresses.IPAM_BAD_REQUEST, e.failureCode());
    // nobody takes over a container's lease, nor names the member that would renew a lease for ever
    e = bus.failure(Addresses.NETWORK_ALLOCATE, alloc(ids.get("c"), null));
    assertEquals(Addresses.IPAM_TAKEN, e.failureCode());
    assertEquals("the lease of " + ids.get("c") + " on lan belongs to m2 (container lease): only its owner renews or"
        + " moves it", e.getMessage());
    e = bus.failure(Addresses.NETWORK_ALLOCATE, alloc("squat", null).put("host", "m2"));
    assertEquals(Addresses.IPAM_BAD_REQUEST, e.failureCode());
    assertEquals("'host' cannot be named: a lease belongs to the member that answers", e.getMessage());
    e = bus.failure(Addresses.NETWORK_ALLOCATE, alloc("host:m3", null));
    assertEquals(Addresses.IPAM_BAD_REQUEST, e.failureCode());
    // and by default the gateway's bridge passes no request that changes leases (no token is set here)
    for (String change : Addresses.NETWORK_CHANGES) {
      HttpResponse<String> r = new Api(members[1], null).post("/bridge/" + change, alloc("squat", null).encode());
      assertEquals(403, r.statusCode(), change + ": " + r.body());
    }
    assertEquals(200, new Api(members[1], null).post("/bridge/" + Addresses.NETWORK_LEASES, "{}").statusCode());
    e = bus.failure(Addresses.NETWORK_RELEASE, new JsonObject().put("network", "lan").put("containerId", "never"));
    assertEquals(Addresses.IPAM_UNKNOWN, e.failureCode());
    for (int i = 0; i < 5; i++) {
      bus.request(Addresses.NETWORK_ALLOCATE, new JsonObject().put("network", "tiny").put("containerId", "t" + i));
    }
    e = bus.failure(Addresses.NETWORK_ALLOCATE, new JsonObject().put("network", "tiny").put("containerId", "t5"));
    assertEquals(Addresses.IPAM_EXHAUSTED, e.failureCode());
    assertEquals("network tiny is exhausted: all 5 addresses of 10.252.8.2-10.252.8.6 are leased", e.getMessage());
    assertEquals(5, network("tiny").getJsonArray("leases").size());
    for (int i = 0; i < 5; i++) {
      bus.request(Addresses.NETWORK_RELEASE, new JsonObject().put("network", "tiny").put("containerId", "t" + i));
    }
    assertEquals(5, network("tiny").getInteger("free"));
    assertEquals(renewless(before.getJsonArray("leases")), renewless(network("lan").getJsonArray("leases")),
        "the lan leases are as before");
    // a container asking for a taken address is not left on the network with whatever Docker gave it
    String d = lab.docker(1, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        "dockline.ip=10.252.0.50", "--label", Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600");
    long end = System.currentTimeMillis() + 20_000;
    while (endpoint(1, d) != null && System.currentTimeMillis() < end) Thread.sleep(100);
    assertNull(endpoint(1, d), "disconnected from lan");
    assertEquals(ids.get("c"), ipOwner("lan", "10.252.0.50"));
    lab.docker(1, "rm", "-f", d);
  }

  @Test
  @Order(5)
  void removingAContainerReturnsItsAddress() throws Exception {
    String ip = lease("lan", ids.get("a")).getString("ip");
    lab.docker(1, "rm", "-f", ids.get("a"));
    long end = System.currentTimeMillis() + 15_000;
    while (lease("lan", ids.get("a")) != null && System.currentTimeMillis() < end) Thread.sleep(100);
    assertNull(lease("lan", ids.get("a")), "lease released on removal");
    JsonObject again = bus.request(Addresses.NETWORK_ALLOCATE, alloc("reuse", ip));
    assertEquals(ip, again.getString("ip"));
    bus.request(Addresses.NETWORK_RELEASE, alloc("reuse", null));
  }

  @Test
  @Order(6)
  void aKilledMembersLeasesAreFreedOnlyAfterTheTtlAndItKeepsNoReassignedAddress() throws Exception {
    ids.put("b2", lab.docker(2, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600"));
    String b2 = awaitPinned(2, ids.get("b2"));
    String b = lease("lan", ids.get("b")).getString("ip");
    members[2].kill9();
    long killed = System.currentTimeMillis();
    bus.awaitMembers(3);
    System.out.printf("NetworkIT: the cluster dropped the killed member after %d ms%n", System.currentTimeMillis() - killed);
    Thread.sleep(Math.max(0, TTL_S * 1000 - 500 - (System.currentTimeMillis() - killed)));
    assertNotNull(lease("lan", ids.get("b")), "still leased within the TTL");
    assertNotNull(lease("lan", ids.get("b2")));
    while (lease("lan", ids.get("b")) != null && System.currentTimeMillis() - killed < 30_000) Thread.sleep(100);
    long freedAfter = System.currentTimeMillis() - killed;
    assertNull(lease("lan", ids.get("b")), "freed after TTL + grace");
    assertTrue(freedAfter >= TTL_S * 1000, "freed after " + freedAfter + " ms");
    System.out.printf("NetworkIT: leases of the killed member freed %d ms after kill -9 (TTL %d s + grace %d s)%n",
        freedAfter, TTL_S, GRACE_S);
    // someone else gets b's address while m2 is away
    JsonObject intruder = bus.request(Addresses.NETWORK_ALLOCATE, alloc("intruder", b));
    assertEquals(b, intruder.getString("ip"));

    members[2] = started(member(2));
    members[2].awaitHealth(200, 120_000);
    String bNow = awaitPinned(2, ids.get("b"));
    assertNotEquals(b, bNow, "the returning member gave up the reassigned address");
    assertEquals(ids.get("b"), ipOwner("lan", bNow));
    assertEquals("intruder", ipOwner("lan", b));
    assertEquals(b2, awaitPinned(2, ids.get("b2")), "an address nobody took is kept");
    assertEquals("m2", lease("lan", ids.get("b2")).getString("host"));
    assertNoAddressTwiceOnAnyHost();
    bus.request(Addresses.NETWORK_RELEASE, alloc("intruder", null));
  }

  @Test
  @Order(7)
  void aMemberBackWithinTheTtlKeepsItsLeasesAndFreesThoseOfContainersRemovedMeanwhile() throws Exception {
    String keep = lab.docker(3, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600");
    String gone = lab.docker(3, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600");
    String kept = awaitPinned(3, keep);
    awaitPinned(3, gone);
    members[3].kill9();
    lab.docker(3, "rm", "-f", gone);
    bus.awaitMembers(3);
    assertNotNull(lease("lan", gone), "nobody else knows it is gone");
    members[3] = started(member(3));
    members[3].awaitHealth(200, 120_000);
    assertNull(lease("lan", gone), "released by the returning member before it reported ready");
    assertEquals(kept, awaitPinned(3, keep));
    assertEquals("m3", lease("lan", keep).getString("host"));
  }

  @Test
  @Order(8)
  void aStoppedContainerKeepsItsLeaseAndTheProvisionerSurvivesADockerRestart() throws Exception {
    String x = lab.docker(3, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600");
    String ip = awaitPinned(3, x);
    lab.docker(3, "stop", "-t", "0", x);
    lab.restartDaemon(3);
    assertEquals("exited", lab.docker(3, "inspect", "-f", "{{.State.Status}}", x));
    assertEquals(ip, lease("lan", x).getString("ip"), "a stopped container keeps its lease");
    String y = lab.docker(3, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
        Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600");
    assertNotEquals(ip, awaitPinned(3, y), "the provisioner follows the restarted daemon");
    lab.docker(3, "start", x);
    assertEquals(ip, awaitPinned(3, x), "started again with its address");
    assertNoAddressTwiceOnAnyHost();
  }

  private static JsonObject alloc(String key, String ip) {
    JsonObject o = new JsonObject().put("network", "lan").put("containerId", key);
    return ip == null ? o : o.put("ip", ip);
  }

  private static JsonArray renewless(JsonArray leases) {
    JsonArray out = new JsonArray();
    for (Object o : leases) out.add(((JsonObject) o).copy().put("renewedAt", 0L));
    return out;
  }

  private JsonObject network(String name) throws Exception {
    JsonArray nets = bus.request(Addresses.NETWORK_LEASES, new JsonObject().put("network", name)).getJsonArray("networks");
    assertEquals(1, nets.size());
    return nets.getJsonObject(0);
  }

  private JsonObject lease(String network, String key) throws Exception {
    for (Object o : network(network).getJsonArray("leases")) {
      if (((JsonObject) o).getString("containerId").equals(key)) return (JsonObject) o;
    }
    return null;
  }

  private String ipOwner(String network, String ip) throws Exception {
    for (Object o : network(network).getJsonArray("leases")) {
      if (((JsonObject) o).getString("ip").equals(ip)) return ((JsonObject) o).getString("containerId");
    }
    return null;
  }

  private JsonObject endpoint(int host, String id) {
    return lab.endpoint(host, id, "lan");
  }

  /** Waits until the container runs on lan with an address of the cluster range pinned (kept on restart). */
  private String awaitPinned(int host, String id) throws Exception {
    long end = System.currentTimeMillis() + 20_000;
    JsonObject ep = null;
    while (System.currentTimeMillis() < end) {
      ep = endpoint(host, id);
      JsonObject ipam = ep == null ? null : ep.getJsonObject("IPAMConfig");
      String pinned = ipam == null ? null : ipam.getString("IPv4Address");
      if (pinned != null && pinned.equals(ep.getString("IPAddress")) && !pinned.startsWith("10.252.7.24")) {
        JsonObject lease = lease("lan", id);
        if (lease != null && lease.getString("ip").equals(pinned)) return pinned;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("container " + id + " on host " + host + " never got its leased address: " + ep);
  }

  private void assertNoAddressTwiceOnAnyHost() {
    lab.assertNoAddressTwice("lan");
  }
}
