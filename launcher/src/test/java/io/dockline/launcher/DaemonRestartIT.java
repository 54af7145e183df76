package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Docker daemon goes away and comes back (a daemon of the test's own, so it can be restarted): the agent
 * says it is waiting, reconnects by itself, and reading resumes; what the container wrote is stored exactly
 * as the daemon's own log has it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonRestartIT {
  private final String run = "dr" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private SecondDockerDaemon daemon;
  private NodeProcess node;

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("dockline-daemon-it");
    daemon = new SecondDockerDaemon("dockline-it-restart").start(work.resolve("dockerd.log"));
    node = new NodeProcess("restart", work, "--docker-host", daemon.host).start();
    node.awaitHealth(200, 120_000);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    if (daemon != null) daemon.close();
  }

  @Test
  void readingResumesAfterTheDaemonRestarts() throws Exception {
    String id = Docker.runOn(daemon.host, "run", "-d", "--network", "none", "--label", Docker.RUN_LABEL,
        "--restart", "always", "--log-driver", "json-file", "--name", run + "-ticker", Docker.IMAGE, "sh", "-c",
        "i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 0.02; done");
    node.awaitStored(id, 50, 30_000);
    daemon.restart(3_000);
    // the container is restarted by its policy; the agent reconnects and follows it again
    node.awaitHealth(200, 60_000);
    long before = node.container(id).getLong("lastSeq");
    node.awaitStored(id, before + 50, 60_000);
    Docker.runOn(daemon.host, "stop", "-t", "1", id);
    Docker.waitExitedOn(daemon.host, id, 30_000);

    String[] logged = Docker.runOn(daemon.host, "logs", id).split("\n");
    node.awaitStored(id, logged.length, 30_000);
    List<JsonObject> lines = node.allLines(id);
    assertEquals(logged.length, lines.size(), "every line of both runs, once");
    for (int i = 0; i < logged.length; i++) assertEquals(logged[i], lines.get(i).getString("line"));
    assertTrue(lines.stream().filter(l -> l.getString("line").equals("tick 1")).count() == 2,
        "both runs of the container are in its log");
    String log = node.log();
    assertTrue(log.contains("Docker daemon not reachable"), "the agent said it was waiting");
  }
}
