package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The jar as a user runs it: bad command lines, no Docker daemon, SIGTERM with lines in flight, restart. */
class LauncherIT {
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (NodeProcess n : nodes) n.close();
    Docker.removeTestContainers();
  }

  @Test
  void wrongOptionsAndUnreadableConfSayOneLineAndExitNonZero() throws Exception {
    String[] bogus = NodeProcess.runJar("--bogus", "1");
    assertEquals("2", bogus[0]);
    assertEquals("dockline: unknown option --bogus (see --help)", bogus[1].trim());
    String[] conf = NodeProcess.runJar("--conf", "/nonexistent/dockline.json");
    assertEquals("2", conf[0]);
    assertTrue(conf[1].trim().startsWith("dockline: cannot read conf file /nonexistent/dockline.json"));
    assertEquals(1, conf[1].trim().lines().count());
    String[] port = NodeProcess.runJar("--http-port", "99999");
    assertEquals("2", port[0]);
    assertEquals("dockline: invalid --http-port '99999': port out of range", port[1].trim());
    String[] help = NodeProcess.runJar("--help");
    assertEquals("0", help[0]);
    for (String opt : List.of("--roles", "--node-name", "--data-dir", "--http-host", "--http-port", "--cluster-name",
        "--cluster-host", "--cluster-port", "--join", "--docker-host", "--conf")) {
      assertTrue(help[1].contains(opt), "help lists " + opt);
    }
  }

  @Test
  void runAsUsersDoTheNodeTakesAJvmSizedForItThatStopsWithItsParent() throws Exception {
    Path work = Files.createTempDirectory("dockline-it");
    for (boolean kill9 : new boolean[] {false, true}) {
      NodeProcess n = new NodeProcess("ownjvm-" + kill9, work, "--roles", "collector,gateway");
      n.heapBound = null;
      nodes.add(n.start());
      n.awaitHealth(200, 120_000);
      List<ProcessHandle> children = ProcessHandle.of(n.pid()).orElseThrow().children().toList();
      assertEquals(1, children.size(), "the launcher's JVM runs the node in one JVM of its own");
      ProcessHandle node = children.get(0);
      List<String> args = List.of(node.info().arguments().orElseThrow());
      assertTrue(args.containsAll(NodeJvm.FLAGS), args.toString());
      // the node answering is the child, and its heap is the bounded one
      double heapMax = n.get("/metrics").body().lines()
          .filter(l -> l.startsWith("jvm_memory_max_bytes{") && l.contains("area=\"heap\""))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).filter(v -> v > 0).sum();
      assertTrue(heapMax > 0 && heapMax <= 256L << 20, "heap max " + heapMax);
      if (kill9) {
        n.kill9();
      } else {
        int code = n.stop();
        assertEquals(143, code, "SIGTERM: a clean stop\n" + n.log());
      }
      node.onExit().get(90, java.util.concurrent.TimeUnit.SECONDS);
      assertFalse(node.isAlive());
      assertTrue(n.log().contains("stopped"), "the node drained and stopped\n" + n.log());
    }
  }

  @Test
  void withoutDockerTheNodeSaysSoAndIsNotReady() throws Exception {
    Path work = Files.createTempDirectory("dockline-it");
    NodeProcess n = new NodeProcess("nodocker", work, "--docker-host", "unix://" + work.resolve("absent.sock"));
    nodes.add(n.start());
    JsonObject health = n.awaitHealth(503, 120_000);
    long end = System.currentTimeMillis() + 30_000;
    // until the agent has tried: "starting" (not deployed yet), then "connecting to Docker"
    while (!health.getJsonObject("roles").getJsonObject("agent").getString("detail").contains("not reachable")
        && System.currentTimeMillis() < end) {
      Thread.sleep(100);
      health = n.awaitHealth(503, 10_000);
    }
    JsonObject agent = health.getJsonObject("roles").getJsonObject("agent");
    assertFalse(agent.getBoolean("ready"));
    assertTrue(agent.getString("detail").contains("not reachable"), agent.encode());
    assertTrue(health.getJsonObject("roles").getJsonObject("collector").getBoolean("ready"));
    Thread.sleep(5000); // it keeps retrying, and says so once, not on every try
    long said = n.log().lines().filter(l -> l.contains("Docker daemon not reachable")).count();
    assertEquals(1, said, n.log());
    assertTrue(n.log().lines().anyMatch(l -> l.contains("Docker daemon not reachable at unix://")));
  }

  @Test
  void sigtermStoresWhatWasReadAndARestartContinuesTheSequence() throws Exception {
    Path work = Files.createTempDirectory("dockline-it");
    String id = Docker.runDetached("dl-restart-" + System.nanoTime() % 100000, false,
        "i=0; while true; do i=$((i+1)); echo \"n $i\"; sleep 0.002; done");
    NodeProcess first = new NodeProcess("restart", work);
    nodes.add(first.start());
    first.awaitHealth(200, 120_000);
    first.awaitStored(id, 500, 60_000);
    assertEquals(143, first.stop(), "SIGTERM ends the JVM the usual way (128 + 15) after the clean stop");
    assertTrue(first.log().contains("stopped"), first.log());
    assertFalse(first.log().contains("before every line read was acknowledged"), first.log());

    NodeProcess second = new NodeProcess("restart", work); // same name and data dir: the same node again
    nodes.add(second.start());
    second.awaitHealth(200, 120_000);
    long storedBefore = second.container(id).getLong("lastSeq");
    second.awaitStored(id, storedBefore + 300, 60_000);
    List<JsonObject> lines = second.allLines(id);
    // one run of sequence numbers with no gap and no repeat; within each attach, counters are consecutive
    int breaks = 0;
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
      if (i > 0) {
        long prev = Long.parseLong(lines.get(i - 1).getString("line").substring(2));
        long cur = Long.parseLong(lines.get(i).getString("line").substring(2));
        assertTrue(cur > prev, "no line stored twice: " + prev + " then " + cur);
        if (cur != prev + 1) breaks++;
      }
    }
    assertTrue(breaks <= 1, "only the time the node was down is missing (attach keeps no history); breaks=" + breaks);
    assertEquals(143, second.stop());
  }
}
