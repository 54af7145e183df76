package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loss ledger of {@code /api/containers/{id}}: every line the agent discards is counted there, line for
 * line, and every time a container ran unread (attach has no history) is noted; nothing lost is silent, and
 * nothing is listed that was not lost. Real losses, from the fat jar against the real daemon.
 */
class LossLedgerIT {
  private final String run = "ll" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final List<NodeProcess> nodes = new ArrayList<>();
  private Path work;

  @BeforeEach
  void setUp() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-ledger-it");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (NodeProcess n : nodes) n.close();
    Docker.removeTestContainers();
  }

  /**
   * No collector, a spool of 0 bytes under {@code drop-newest} and the smallest memory budget: the agent reads
   * every line and discards what does not fit. Once a collector is up, the lines stored and the lines the ledger
   * counts add up to the lines written, and the missing line numbers are exactly as many as counted.
   */
  @Test
  void linesDiscardedAtAFullSpoolAreCountedLineForLine() throws Exception {
    final int written = 50_000;
    NodeProcess collector = node("ll-collector", "--roles", "collector");
    NodeProcess agent = node("ll-agent", "--roles", "agent,router,gateway", "--agent-spool-policy", "drop-newest",
        "--agent-spool-bytes", "0", "--agent-buffer-bytes", "65536", "--include-names", run + ".*");
    collector.clusterName = "it-ledger-" + run;
    agent.clusterName = collector.clusterName;
    collector.addArgs("--join", "127.0.0.1:" + agent.clusterPort);
    agent.addArgs("--join", "127.0.0.1:" + collector.clusterPort);
    agent.start();
    agent.awaitHealth(503, 120_000); // up, but its router has no collector
    awaitAgentReady(agent);

    String id = Docker.create(run + "-drop", false, "seq 1 " + written + " | sed 's/^/w /'");
    agent.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    long end = System.currentTimeMillis() + 30_000;
    while (agent.metric("dockline_lines_read_total") < written && System.currentTimeMillis() < end) Thread.sleep(100);
    assertEquals(written, agent.metric("dockline_lines_read_total"), 0.0, "the agent read every line");

    collector.start();
    agent.awaitHealth(200, 120_000);
    long dropped = (long) agent.metric("dockline_lines_dropped_total");
    assertTrue(dropped > 0, "the spool was full: lines were discarded");
    agent.awaitStored(id, written - dropped, 60_000);
    JsonObject lost = ledger(agent, id);
    assertEquals(dropped, lost.getLong("lines"), lost.encode());
    assertEquals(0L, lost.getLong("uncounted"), lost.encode());
    JsonObject reason = onlyReason(lost, "spool-full");
    assertEquals(dropped, reason.getLong("lines"));
    assertTrue(reason.getLong("times") >= 1);

    List<JsonObject> stored = agent.allLines(id);
    assertEquals(written - dropped, stored.size(), "stored + counted as lost = written");
    long previous = 0;
    long missing = 0;
    for (int i = 0; i < stored.size(); i++) {
      assertEquals(i + 1, stored.get(i).getLong("seq"), "discarded lines take no seq");
      long n = Long.parseLong(stored.get(i).getString("line").substring(2));
      assertTrue(n > previous, "in order, none twice: " + previous + " then " + n);
      missing += n - previous - 1;
      previous = n;
    }
    missing += written - previous;
    assertEquals(dropped, missing, "the line numbers missing are the lines the ledger counts");

    // the ledger outlives the agent
    assertEquals(143, agent.stop());
    agent.start();
    agent.awaitHealth(200, 120_000);
    assertEquals(lost.getJsonArray("reasons"), ledger(agent, id).getJsonArray("reasons"), "kept across a restart");
  }

  /**
   * Attach has no history: a container started while the node was stopped lost its first lines, and one the
   * node was reading went unread while it was down. Both are noted (uncounted: nobody saw those lines); a
   * container the node read whole shows no loss.
   */
  @Test
  void containersThatRanWhileTheNodeWasStoppedShowAnUncountedLoss() throws Exception {
    NodeProcess n = node("ll-node", "--include-names", run + ".*");
    n.start();
    n.awaitHealth(200, 120_000);
    String whole = Docker.create(run + "-whole", false, "seq 1 100 | sed 's/^/n /'");
    String read = Docker.create(run + "-read", false,
        "i=0; while true; do i=$((i+1)); echo \"n $i\"; sleep 0.01; done");
    n.startWhenAttached(whole, read);
    Docker.waitExited(whole, 60_000);
    n.awaitStored(whole, 100, 60_000);
    n.awaitStored(read, 50, 60_000);
    assertNoLoss(ledger(n, whole));
    assertNoLoss(ledger(n, read));

    assertEquals(143, n.stop());
    String startedMeanwhile = Docker.runDetached(run + "-late", false,
        "i=0; while true; do i=$((i+1)); echo \"n $i\"; sleep 0.01; done");
    Thread.sleep(1_000); // both write while no agent runs
    n.start();
    n.awaitHealth(200, 120_000);
    n.awaitStored(startedMeanwhile, 50, 60_000);
    long lastBefore = 0;
    long firstAfterGap = 0;
    for (JsonObject l : n.allLines(read)) {
      long num = Long.parseLong(l.getString("line").substring(2));
      if (lastBefore > 0 && num != lastBefore + 1 && firstAfterGap == 0) firstAfterGap = num;
      if (firstAfterGap == 0) lastBefore = num;
    }
    assertTrue(firstAfterGap > lastBefore + 1, "lines of the read container are missing: " + lastBefore + " .. "
        + firstAfterGap);
    long firstOfLate = Long.parseLong(n.allLines(startedMeanwhile).get(0).getString("line").substring(2));
    assertTrue(firstOfLate > 1, "the container started meanwhile lost its first lines (first read: " + firstOfLate + ")");

    for (String id : List.of(read, startedMeanwhile)) {
      JsonObject lost = ledger(n, id);
      assertEquals(0L, lost.getLong("lines"), lost.encode());
      assertEquals(1L, lost.getLong("uncounted"), lost.encode());
      JsonObject reason = onlyReason(lost, "agent-stopped");
      assertEquals(1L, reason.getLong("times"));
    }
    assertNoLoss(ledger(n, whole));
  }

  private NodeProcess node(String name, String... args) throws Exception {
    NodeProcess n = new NodeProcess(name, work, args);
    nodes.add(n);
    return n;
  }

  /** The agent role connected to Docker (the node's health is 503 while its router has no collector). */
  private static void awaitAgentReady(NodeProcess agent) throws Exception {
    long end = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < end) {
      JsonObject roles = new JsonObject(agent.get("/health").body()).getJsonObject("roles", new JsonObject());
      if (roles.getJsonObject("agent", new JsonObject()).getBoolean("ready", false)) return;
      Thread.sleep(200);
    }
    throw new AssertionError("agent never ready: " + agent.get("/health").body());
  }

  /** The {@code lost} of {@code /api/containers/{id}}, after the agent's second of saving and answering. */
  static JsonObject ledger(NodeProcess node, String id) throws Exception {
    HttpResponse<String> r = node.get("/api/containers/" + id);
    assertEquals(200, r.statusCode(), r.body());
    JsonObject lost = new JsonObject(r.body()).getJsonObject("lost");
    assertNotNull(lost, r.body());
    assertTrue(!lost.containsKey("error"), r.body());
    return lost;
  }

  static JsonObject onlyReason(JsonObject lost, String reason) {
    JsonArray reasons = lost.getJsonArray("reasons");
    assertEquals(1, reasons.size(), lost.encode());
    JsonObject r = reasons.getJsonObject(0);
    assertEquals(reason, r.getString("reason"), lost.encode());
    assertTrue(r.getString("why").length() > 10 && r.getString("lastAt").matches("\\d{4}-.*Z"), r.encode());
    return r;
  }

  private static void assertNoLoss(JsonObject lost) {
    assertEquals(0L, lost.getLong("lines"), lost.encode());
    assertEquals(0L, lost.getLong("uncounted"), lost.encode());
    assertTrue(lost.getJsonArray("reasons").isEmpty(), lost.encode());
  }
}
