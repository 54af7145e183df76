package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real cluster of separate processes from the fat jar: two agents on two Docker daemons and collectors
 * that crash, join, leave and all go away while containers on both daemons write numbered lines. Afterwards
 * every line must be stored exactly once, in order, read back through the gateway. The writers write until
 * the test tells them to stop (a file), and each phase is checked to have happened while they wrote: a slow
 * run takes longer, it does not pass with its hardest phase after the writing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {
  private static final int CONTAINERS_PER_HOST = 3;
  private static final int LINES_PER_ROUND = 200;

  private final String run = "cl" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private SecondDockerDaemon hostB;
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

  @BeforeAll
  void startCluster() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-cluster-it");
    hostB = new SecondDockerDaemon("dockline-it-hostb").start(work.resolve("dockerd-hostb.log"));
    List<String> names = List.of("c1", "c2", "c3", "c4", "agent-a", "agent-b");
    for (String n : names) {
      String roles = n.startsWith("c") ? "collector" : "agent,router,gateway";
      // one copy per line: what this test checks is that a stream's lines, moved between collectors, are stored
      // exactly once (ReplicationIT covers the default factor, 2)
      List<String> args = new ArrayList<>(List.of("--roles", roles, "--replication-factor", "1"));
      if (n.equals("agent-b")) args.addAll(List.of("--docker-host", hostB.host));
      nodes.put(n, new NodeProcess(n, work, args.toArray(new String[0])));
    }
    NodeProcess.cluster("it-cluster-" + run, nodes.values());
    for (String n : List.of("c1", "c2", "c3", "agent-a", "agent-b")) nodes.get(n).start();
    gateway().awaitHealth(200, 120_000);
    awaitRing(3);
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (NodeProcess p : nodes.values()) p.close();
    Docker.removeTestContainers();
    if (hostB != null) hostB.close();
  }

  private NodeProcess gateway() {
    return nodes.get("agent-a");
  }

  /** Waits until both agents' routers see {@code collectors} ready collectors. */
  private void awaitRing(int collectors) throws Exception {
    long end = System.currentTimeMillis() + 90_000;
    double a = -1;
    while (System.currentTimeMillis() < end) {
      a = gateway().metric("dockline_ring_collectors");
      if (a == collectors) return;
      Thread.sleep(200);
    }
    throw new AssertionError("ring has " + a + " collectors, expected " + collectors + "\n"
        + nodes.get("c1").log());
  }

  @Test
  void everyLineIsStoredExactlyOnceThroughCrashesJoinsAndLeaves() throws Exception {
    // rounds of lines until /c/stop exists; then the writer's own count goes to /c/<its name>
    Path shared = Files.createDirectories(work.resolve("writers"));
    String script = "i=0; while [ ! -f /c/stop ]; do for j in $(seq 1 " + LINES_PER_ROUND + "); do"
        + " i=$((i+1)); echo \"n $i\"; done; sleep 0.4; done; echo $i > /c/$(hostname).tmp;"
        + " mv /c/$(hostname).tmp /c/$(hostname)";
    List<String> onA = new ArrayList<>();
    List<String> onB = new ArrayList<>();
    for (int i = 0; i < CONTAINERS_PER_HOST; i++) {
      onA.add(writer(null, run + "-a" + i, shared, script));
      onB.add(writer(hostB.host, run + "-b" + i, shared, script));
    }
    awaitAttached(gateway(), CONTAINERS_PER_HOST);
    awaitAttached(nodes.get("agent-b"), CONTAINERS_PER_HOST);
    Docker.runOn(null, concat("start", onA));
    Docker.runOn(hostB.host, concat("start", onB));

    Thread.sleep(4_000);
    Map<String, long[]> phases = new LinkedHashMap<>(); // name -> {began, ended} (ms)
    long began = System.currentTimeMillis();
    nodes.get("c2").kill9(); // (b) a collector crashes mid-stream
    awaitRing(2);
    began = phase(phases, "crash", began);
    nodes.get("c4").start(); // (c) a new collector joins mid-stream
    awaitRing(3);
    Thread.sleep(3_000);
    began = phase(phases, "join", began);
    assertEquals(143, nodes.get("c3").stop(), "graceful stop"); // (d) a collector leaves
    awaitRing(2);
    Thread.sleep(2_000);
    began = phase(phases, "leave", began);
    nodes.get("c1").stop(); // (e) every collector gone for a while...
    nodes.get("c4").stop();
    awaitRing(0);
    Thread.sleep(5_000);
    began = phase(phases, "all-gone", began);
    nodes.get("c1").start(); // ...then one comes back
    awaitRing(1);
    Thread.sleep(3_000);
    phase(phases, "one-back", began);
    Files.writeString(shared.resolve("stop"), "");
    // the others come back with what they stored, so everything can be read
    nodes.get("c2").start();
    nodes.get("c3").start();
    nodes.get("c4").start();
    awaitRing(4);

    for (String id : onA) Docker.waitExitedOn(null, id, 120_000);
    for (String id : onB) Docker.waitExitedOn(hostB.host, id, 120_000);
    List<String> all = new ArrayList<>(onA);
    all.addAll(onB);
    Map<String, Long> written = new LinkedHashMap<>();
    for (String id : all) {
      String hostname = id.substring(0, 12); // a container's host name is its short id
      written.put(id, Long.parseLong(Files.readString(shared.resolve(hostname)).trim()));
      gateway().awaitStored(id, written.get(id), 120_000);
    }
    int heldByMoreThanOne = 0;
    for (String id : all) {
      List<JsonObject> lines = gateway().allLines(id);
      assertEquals(written.get(id), lines.size(), "every line of " + id + " stored once");
      for (int i = 0; i < lines.size(); i++) {
        assertEquals(i + 1, lines.get(i).getLong("seq"));
        assertEquals("n " + (i + 1), lines.get(i).getString("line"), "line " + (i + 1) + " of " + id);
      }
      assertWrittenDuringEveryPhase(id, lines, phases);
      if (gateway().container(id).getJsonArray("collectors").size() > 1) heldByMoreThanOne++;
    }
    assertTrue(heldByMoreThanOne > 0, "streams moved between collectors");
    // on disk too, not only through the gateway (which drops repeated seqs): only c2 crashed (kill -9)
    List<NodeProcess> collectors = List.of(nodes.get("c1"), nodes.get("c2"), nodes.get("c3"), nodes.get("c4"));
    for (String id : all) {
      System.out.println("ClusterIT " + id.substring(0, 12) + " lines on disk per collector: "
          + StoredOnDisk.assertExactlyOnce(collectors, id, written.get(id), Set.of("c2")));
    }
    JsonObject ring = new JsonObject(gateway().get("/api/ring").body());
    assertEquals(4, ring.getJsonArray("collectors").size(), ring.encode());
    int streams = 0;
    for (Object c : ring.getJsonArray("collectors")) streams += ((JsonObject) c).getInteger("streams");
    assertTrue(streams >= CONTAINERS_PER_HOST * 2, "measured streams on the ring: " + ring.encode());
    assertEquals(6, ring.getJsonArray("members").size(), ring.encode());
    for (Object m : ring.getJsonArray("members")) {
      JsonObject member = (JsonObject) m;
      boolean collector = member.getJsonArray("roles").contains("collector");
      assertEquals(collector, member.getBoolean("onRing"), member.encode());
    }
    assertTrue(gateway().metric("dockline_ring_rebalances_total") >= 5, "ring rebuilt on every change");
    assertTrue(gateway().metric("dockline_batches_resent_total") > 0, "batches resent after failures");
  }

  /** Records that phase {@code name} ran from {@code began} until now; returns now (the next one's start). */
  private static long phase(Map<String, long[]> phases, String name, long began) {
    long now = System.currentTimeMillis();
    phases.put(name, new long[] {began, now});
    System.out.println("ClusterIT phase " + name + ": " + (now - began) + " ms");
    return now;
  }

  /**
   * The container wrote lines during every phase (attach-mode lines carry the time they were read, on this
   * machine's clock): each phase happened while the writers wrote.
   */
  private static void assertWrittenDuringEveryPhase(String id, List<JsonObject> lines, Map<String, long[]> phases) {
    for (Map.Entry<String, long[]> p : phases.entrySet()) {
      long from = p.getValue()[0];
      long to = p.getValue()[1];
      long during = lines.stream().map(l -> java.time.Instant.parse(l.getString("time")).toEpochMilli())
          .filter(t -> t >= from && t < to).count();
      assertTrue(during > 0, id + ": no line written during phase " + p.getKey() + " (" + from + ".." + to + ")");
    }
  }

  /** A writer container on {@code host}'s daemon (null: the default one) that sees {@code shared} as /c. */
  private static String writer(String host, String name, Path shared, String script) {
    return Docker.runOn(host, "create", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
        "--name", name, "-v", shared + ":/c", Docker.IMAGE, "sh", "-c", script);
  }

  private static void awaitAttached(NodeProcess agent, int streams) throws Exception {
    long end = System.currentTimeMillis() + 30_000;
    while (agent.metric("dockline_attach_streams_open") < streams) {
      if (System.currentTimeMillis() > end) throw new AssertionError(agent.name + " did not attach");
      Thread.sleep(100);
    }
  }

  private static String[] concat(String first, List<String> rest) {
    List<String> a = new ArrayList<>();
    a.add(first);
    a.addAll(rest);
    return a.toArray(new String[0]);
  }
}
