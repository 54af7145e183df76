package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * No collector for a while: the agent keeps reading into its disk spool, and the spool outlives the agent
 * process. Two processes from the fat jar: an agent (with router and gateway) and a collector.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpoolIT {
  private static final int LINES = 50_000;
  private final String run = "sp" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private NodeProcess agent;
  private NodeProcess collector;

  @BeforeAll
  void start() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-spool-it");
    collector = new NodeProcess("spool-collector", work, "--roles", "collector");
    // a small memory budget per container, so the agent spools past 128 KiB
    agent = new NodeProcess("spool-agent", work, "--roles", "agent,router,gateway", "--agent-buffer-bytes", "262144",
        "--include-names", run + ".*"); // only this test's containers: it counts the lines read
    NodeProcess.pair("it-spool-" + run, collector, agent);
    collector.start();
    agent.start();
    agent.awaitHealth(200, 120_000);
  }

  @AfterAll
  void stop() throws Exception {
    if (agent != null) agent.close();
    if (collector != null) collector.close();
    Docker.removeTestContainers();
  }

  @Test
  void linesReadWithNoCollectorAreSpooledAndSentAfterTheAgentRestarts() throws Exception {
    assertEquals(143, collector.stop());
    agent.awaitHealth(503, 30_000); // its router has no collector now
    String id = Docker.create(run + "-w", false, "seq 1 " + LINES + " | sed 's/^/w /'");
    agent.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    // the spool is written at background-priority (nice 10): on a host as busy as CI with two forks, it may get a
    // small share of the cores, and reading waits for it (nothing is dropped); the bound is generous for that
    long end = System.currentTimeMillis() + 120_000;
    while (agent.metric("dockline_lines_read_total") < LINES && System.currentTimeMillis() < end) Thread.sleep(100);
    assertEquals(LINES, agent.metric("dockline_lines_read_total"), 0.0, "the agent kept reading");
    assertTrue(agent.metric("dockline_agent_spool_bytes") > 0, "and spooled to disk");

    assertEquals(143, agent.stop(), "SIGTERM");
    Path spoolDir = agent.dataDir.resolve("agent/spool");
    assertTrue(Files.size(spoolDir.resolve(id + ".spool")) > LINES * 4L, "every line is in the spool");

    // the container has exited (and is not listed as running): its spool is sent all the same
    collector.start();
    agent.start();
    agent.awaitHealth(200, 120_000);
    agent.awaitStored(id, LINES, 60_000);
    List<JsonObject> lines = agent.allLines(id);
    assertEquals(LINES, lines.size());
    for (int i = 0; i < LINES; i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
      assertEquals("w " + (i + 1), lines.get(i).getString("line"));
    }
    end = System.currentTimeMillis() + 10_000;
    while (spoolFiles(spoolDir) > 0 && System.currentTimeMillis() < end) Thread.sleep(100);
    assertEquals(0, spoolFiles(spoolDir), "a sent spool is removed");
  }

  private static long spoolFiles(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".spool")).count();
    }
  }
}
