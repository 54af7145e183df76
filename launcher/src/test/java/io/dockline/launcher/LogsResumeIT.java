package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Logs mode resumes exactly although Docker stamps stdout and stderr separately (in the log's order their times
 * go backwards by a few ms, and {@code since} filters by time): containers on the {@code local} and
 * {@code json-file} drivers write numbered lines on both streams at full speed while the node is killed with
 * SIGKILL again and again, at different points, and restarted on the same data dir. Every line must be stored
 * once: none lost, none stored twice under another seq, each stream in its order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogsResumeIT {
  private static final int KILLS = 4;
  private static final int CONTAINERS_PER_DRIVER = 3;
  private final String run = "lr" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private NodeProcess node;

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("dockline-resume-it");
    node = new NodeProcess("resume", work, "--include-labels", Docker.RUN_LABEL).start(); // this test's only
    node.awaitHealth(200, 120_000);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    Docker.removeTestContainers();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void interleavedStreamsSurviveRepeatedKill9WithoutLossOrRepeat() throws Exception {
    // bursts of numbered lines on both streams at full speed, until told to stop; then the count
    String script = "i=0; while [ ! -e /tmp/stop ]; do j=0; while [ $j -lt 250 ]; do j=$((j+1)); i=$((i+1));"
        + " echo \"out $i\"; echo \"err $i\" >&2; done; sleep 0.3; done; echo \"done $i\"";
    List<String> ids = new ArrayList<>();
    for (String driver : List.of("local", "json-file")) {
      for (int c = 0; c < CONTAINERS_PER_DRIVER; c++) {
        ids.add(Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", driver,
            "--name", run + "-" + driver + c, Docker.IMAGE, "sh", "-c", script));
      }
    }
    for (String id : ids) node.awaitStored(id, 1_000, 60_000);
    Random random = new Random();
    for (int k = 0; k < KILLS; k++) {
      Thread.sleep(500 + random.nextInt(3_000)); // at a different point of each container's output each time
      node.kill9();
      Thread.sleep(500 + random.nextInt(2_500)); // the containers write on while nothing reads them
      node.start();
      node.awaitHealth(200, 120_000);
    }
    Thread.sleep(1_000 + random.nextInt(2_000));
    for (String id : ids) Docker.run("exec", id, "touch", "/tmp/stop");
    for (String id : ids) {
      Docker.waitExited(id, 60_000);
      String last = Docker.run("logs", "--tail", "1", id);
      assertTrue(last.startsWith("done "), last);
      int n = Integer.parseInt(last.substring(5).trim());
      awaitSettled(id, 2L * n + 1);
      assertExactlyOnce(id, n);
    }
    assertEquals(0.0, node.metric("dockline_logs_resume_mismatches_total"), "every checkpoint was found");
  }

  /** Until the container's stored lastSeq reaches {@code seq}, or stays put for 20 s (lines were lost). */
  private void awaitSettled(String id, long seq) throws Exception {
    long last = -1;
    long since = System.currentTimeMillis();
    while (System.currentTimeMillis() - since < 20_000) {
      JsonObject c = node.container(id);
      long stored = c == null ? 0 : c.getLong("lastSeq");
      if (stored >= seq) return;
      if (stored != last) since = System.currentTimeMillis();
      last = stored;
      Thread.sleep(500);
    }
  }

  /** "out 1".."out n" and "err 1".."err n", each once and in its stream's order, then "done n"; seqs 1..2n+1. */
  private void assertExactlyOnce(String id, int n) throws Exception {
    List<JsonObject> lines = node.allLines(id);
    int[] next = {0, 1, 1}; // by stream: the number expected next
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      JsonObject l = lines.get(i);
      if (l.getLong("seq") != i + 1) problems.add("seq " + l.getLong("seq") + " at " + (i + 1));
      String text = l.getString("line");
      if (text.equals("done " + n)) continue;
      int stream = text.startsWith("out ") ? 1 : 2;
      int number = Integer.parseInt(text.substring(4));
      assertEquals(stream == 1 ? "stdout" : "stderr", l.getString("stream"), text);
      if (number != next[stream]) {
        problems.add((number < next[stream] ? "repeated " : "lost before ") + text + " (seq " + l.getLong("seq") + ")");
        if (problems.size() > 20) break;
      }
      next[stream] = Math.max(next[stream], number + 1);
    }
    assertEquals(List.of(), problems, "container " + id);
    assertEquals(2 * n + 1, lines.size(), "container " + id);
    assertEquals(n + 1, next[1]);
    assertEquals(n + 1, next[2]);
  }
}
