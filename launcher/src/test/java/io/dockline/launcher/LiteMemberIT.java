package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Who holds the cluster's data. An agent started alone is a lite member in a cluster with no data member: it
 * reads its container and spools the lines, and says on /health that the cluster has no data member; the
 * first collector (a data member) gets every line once. A second agent joining and leaving moves no
 * partition (the collector's migration count stays); a second collector joining moves some.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LiteMemberIT {
  private static final int LINES = 3_000;
  /** After a member joins or leaves, how long migrations it would cause are given to show. */
  private static final long SETTLE_MS = 8_000;
  private static final String MIGRATIONS = "dockline_cluster_partition_migrations_total";

  private final String run = "lm" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

  @BeforeAll
  void createNodes() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-lite-it");
    // a small memory budget per container, so the agent spools to disk what no collector takes
    nodes.put("agent-a", new NodeProcess("agent-a", work, "--roles", "agent,router,gateway",
        "--agent-buffer-bytes", "65536", "--include-names", run + ".*"));
    nodes.put("c1", new NodeProcess("c1", work, "--roles", "collector,gateway"));
    nodes.put("agent-b", new NodeProcess("agent-b", work, "--roles", "agent,router", "--include-names", run + ".*"));
    nodes.put("c2", new NodeProcess("c2", work, "--roles", "collector"));
    NodeProcess.cluster("it-lite-" + run, nodes.values());
  }

  @AfterAll
  void stopNodes() throws Exception {
    for (NodeProcess p : nodes.values()) p.close();
    Docker.removeTestContainers();
  }

  @Test
  void agentsAreLiteMembersThatWaitForADataMemberAndMoveNoPartition() throws Exception {
    NodeProcess agent = nodes.get("agent-a").start();
    Deadlines.await(() -> {
      JsonObject h = health(agent);
      return h.getInteger("dataMembers", -1) == 0 && h.getJsonObject("roles").getJsonObject("agent").getBoolean("ready");
    }, 120_000, "agent-a up, alone, in a cluster without data member");
    JsonObject alone = health(agent);
    assertEquals(503, agent.get("/health").statusCode(), alone.encode());
    assertFalse(alone.getBoolean("dataMember"), "an agent is a lite member");
    assertTrue(alone.getString("noDataMember", "").contains("no data member"), alone.encode());
    assertTrue(agent.log().contains("the cluster has no data member"), "and the log says so");

    String id = Docker.create(run + "-w", false, "seq 1 " + LINES + " | sed 's/^/waiting for a data member, line /'");
    agent.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    Deadlines.await(() -> agent.metric("dockline_lines_read_total") >= LINES, 90_000, "the agent read every line");
    assertTrue(agent.metric("dockline_agent_spool_bytes") > 0, "and spooled what it could not hold");
    assertEquals(0.0, agent.metric("dockline_lines_routed_total"), "nothing went anywhere");

    NodeProcess c1 = nodes.get("c1").start();
    agent.awaitHealth(200, 120_000);
    Deadlines.await(() -> stored(agent, id) >= LINES, 60_000, "every line stored");
    List<JsonObject> lines = agent.allLines(id);
    Map<String, Integer> seen = new HashMap<>();
    for (JsonObject l : lines) seen.merge(l.getString("line"), 1, Integer::sum);
    for (int i = 1; i <= LINES; i++) {
      assertEquals(1, seen.getOrDefault("waiting for a data member, line " + i, 0), "line " + i + " stored once");
    }
    assertEquals(LINES, lines.size(), "and nothing else");
    assertEquals(LINES, StoredOnDisk.seqs(c1, id).size(), "on the collector's disk once each");

    JsonObject members = members(agent);
    assertFalse(members.getJsonObject("agent-a").getBoolean("dataMember"), members.encode());
    assertTrue(members.getJsonObject("c1").getBoolean("dataMember"), members.encode());

    double before = c1.metric(MIGRATIONS);
    NodeProcess agentB = nodes.get("agent-b").start();
    // a member is listed from its join on; what it says of itself (dataMember) once its node info is published
    Deadlines.await(() -> members(agent).containsKey("agent-b")
        && members(agent).getJsonObject("agent-b").containsKey("dataMember"), 120_000, "agent-b joined");
    assertFalse(members(agent).getJsonObject("agent-b").getBoolean("dataMember"), "agent-b is a lite member");
    Thread.sleep(SETTLE_MS);
    assertEquals(before, c1.metric(MIGRATIONS), "an agent joining migrates no partition");

    assertEquals(143, agentB.stop(), "SIGTERM");
    Deadlines.await(() -> !members(agent).containsKey("agent-b"), 60_000, "agent-b left");
    Thread.sleep(SETTLE_MS);
    assertEquals(before, c1.metric(MIGRATIONS), "an agent leaving migrates no partition");

    nodes.get("c2").start();
    Deadlines.await(() -> c1.metric(MIGRATIONS) > before, 120_000, "a collector joining migrates partitions");
  }

  /** What /health says; empty while the node does not answer yet. */
  private static JsonObject health(NodeProcess node) throws Exception {
    try {
      return new JsonObject(node.get("/health").body());
    } catch (java.io.IOException notUpYet) {
      return new JsonObject().put("roles", new JsonObject().put("agent", new JsonObject().put("ready", false)));
    }
  }

  /** Lines of the container the gateway reads back; 0 while no collector knows it yet. */
  private static int stored(NodeProcess gateway, String id) throws Exception {
    try {
      return gateway.allLines(id).size();
    } catch (AssertionError unknownYet) {
      return 0;
    }
  }

  /** The members /api/cluster lists, by node name. */
  private static JsonObject members(NodeProcess gateway) throws Exception {
    JsonObject byName = new JsonObject();
    for (Object o : new JsonObject(gateway.get("/api/cluster").body()).getJsonArray("members", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      byName.put(m.getString("node"), m);
    }
    return byName;
  }
}
