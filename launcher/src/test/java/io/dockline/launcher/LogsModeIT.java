package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Containers whose log driver keeps their output (json-file) are read through the logs endpoint with Docker's
 * timestamps and resume from a checkpoint: a node killed with SIGKILL mid-stream loses and repeats nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogsModeIT {
  private final String run = "lm" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private NodeProcess node;

  @BeforeAll
  void start() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-logs-it");
    node = new NodeProcess("logs", work).start();
    node.awaitHealth(200, 120_000);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    Docker.removeTestContainers();
  }

  private static String runJsonFile(String name, String script) {
    return Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "json-file",
        "--name", name, Docker.IMAGE, "sh", "-c", script);
  }

  @Test
  void aKilledAgentResumesFromItsCheckpointWithoutLossOrRepeats() throws Exception {
    int rounds = 60;
    int perRound = 300;
    // docker run -d: in logs mode nothing is lost to the attach race
    String id = runJsonFile(run + "-steady", "i=0; for r in $(seq 1 " + rounds + "); do for j in $(seq 1 " + perRound
        + "); do i=$((i+1)); echo \"line $i\"; done; sleep 0.2; done");
    node.awaitStored(id, 3_000, 60_000);
    long storedBeforeKill = node.container(id).getLong("lastSeq");
    node.kill9();
    Thread.sleep(2_000); // the container keeps writing while nothing reads it
    node.start();
    node.awaitHealth(200, 120_000);
    Docker.waitExited(id, 120_000);
    int total = rounds * perRound;
    node.awaitStored(id, total, 120_000);
    double readAgain = node.metric("dockline_duplicates_dropped_total");
    assertTrue(readAgain < storedBeforeKill, "resumed from the checkpoint, not from the start: " + readAgain
        + " lines read again of " + storedBeforeKill + " stored before the kill");
    List<JsonObject> lines = node.allLines(id);
    assertEquals(total, lines.size(), "every line once");
    for (int i = 0; i < total; i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
      assertEquals("line " + (i + 1), lines.get(i).getString("line"));
      if (i > 0) assertTrue(lines.get(i).getString("time").compareTo(lines.get(i - 1).getString("time")) >= 0);
    }
  }

  @Test
  void piecesOfLongLinesAreMergedAndAShortLivedContainerIsReadWhole() throws Exception {
    int mib = 1 << 20;
    String id = runJsonFile(run + "-long", "echo first; head -c 40000 /dev/zero | tr '\\0' 'a'; echo;"
        + " head -c " + mib + " /dev/zero | tr '\\0' 'b'; echo; printf 'last, unterminated'");
    // containers that are gone before inspect answers (the attach opened meanwhile is dropped for the logs)
    List<String> brief = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) brief.add(runJsonFile(run + "-brief" + i, "echo 'here and gone " + i + "'"));
    Docker.waitExited(id, 60_000);
    node.awaitStored(id, 4, 60_000);
    List<JsonObject> lines = node.allLines(id);
    assertEquals(4, lines.size());
    assertEquals("first", lines.get(0).getString("line"));
    assertEquals(40000, lines.get(1).getString("line").length(), "16 KiB pieces merged back");
    assertTrue(lines.get(1).getString("line").chars().allMatch(c -> c == 'a'));
    assertNull(lines.get(1).getValue("partial"));
    assertEquals(mib, lines.get(2).getString("line").length(), "a 1 MiB line is one line");
    assertEquals("last, unterminated", lines.get(3).getString("line"));
    for (int i = 0; i < brief.size(); i++) {
      node.awaitStored(brief.get(i), 1, 30_000);
      assertEquals("here and gone " + i, node.allLines(brief.get(i)).get(0).getString("line"));
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aTtyProgressBarWithoutNewlinesIsStoredInPiecesOfMaxLineBytesWhileItRuns() throws Exception {
    // progress redrawn with "\r", never a newline, then the container waits: the agent must not wait for a
    // newline holding it all, but store it in pieces of max-line-bytes (1 MiB) as it comes, as in attach mode
    int count = 400_000;
    String id = Docker.run("run", "-d", "-t", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver",
        "local", "--name", run + "-bar", Docker.IMAGE, "sh", "-c", "seq 1 " + count + " | tr '\\n' '\\r'; sleep 300");
    StringBuilder written = new StringBuilder();
    for (int i = 1; i <= count; i++) written.append(i).append('\r');
    int mib = 1 << 20;
    node.awaitStored(id, 2, 120_000);
    assertEquals("running", Docker.run("inspect", "-f", "{{.State.Status}}", id), "no newline came yet");
    List<JsonObject> lines = node.allLines(id);
    assertEquals(2, lines.size(), "two whole pieces; the rest is less than one");
    for (int k = 0; k < 2; k++) {
      assertEquals(Boolean.TRUE, lines.get(k).getBoolean("partial"));
      assertEquals(written.substring(k * mib, (k + 1) * mib), lines.get(k).getString("line"),
          "piece " + k + ": the bytes written, without the timestamps of Docker's 16 KiB pieces");
    }
    Docker.run("rm", "-f", id);
  }
}
