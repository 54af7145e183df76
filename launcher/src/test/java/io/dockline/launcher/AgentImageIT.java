package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's container image as an operator runs it on a Docker host: built by {@code deploy/image.sh} (no base
 * image pulled), started with the Docker socket mounted, the socket's group added, a data volume and the host's
 * network (the cluster traffic stays on loopback), joined to a collector + gateway node started from the jar.
 * A container's lines, read by the agent in the image, are stored exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AgentImageIT {
  private static final Path SCRIPT = Path.of("../deploy/image.sh");
  private static final Path SOCKET = Path.of("/var/run/docker.sock");
  /** The image's non-root user (deploy/image.sh USER_ID). */
  private static final int IMAGE_USER = 10001;
  private static final int LINES = 3_000;

  private final String run = "img" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final String tag = "dockline/agent:it-" + ProcessHandle.current().pid();
  private final String agentName = run + "-agent";
  private final String writerName = run + "-writer";
  private Path work;
  private NodeProcess collector;
  private int agentClusterPort;

  @BeforeAll
  void buildImageAndStartCollector() throws Exception {
    Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
    Assumptions.assumeTrue(Files.isExecutable(jlink),
        "AgentImageIT skipped: this JDK has no jlink (" + jlink + "), which deploy/image.sh needs");
    work = Files.createTempDirectory("dockline-image-it");
    buildImage();
    agentClusterPort = NodeProcess.freePort();
    collector = new NodeProcess("collector", work, "--roles", "collector,router,gateway",
        "--replication-factor", "1");
    collector.clusterName = "it-image-" + run;
    collector.addArgs("--join", "127.0.0.1:" + agentClusterPort);
    collector.start();
    collector.awaitHealth(200, 120_000);
  }

  private void buildImage() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), NodeProcess.JAR.toString())
        .redirectErrorStream(true);
    pb.environment().put("TAG", tag);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(Deadlines.killAfter(p, 240).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "deploy/image.sh did not end: " + out);
    assertEquals(0, p.exitValue(), "deploy/image.sh failed: " + out);
  }

  @AfterAll
  void cleanUp() throws Exception {
    if (collector != null) collector.close();
    if (work == null) return;
    Docker.removeTestContainers();
    try {
      Docker.run("rmi", tag);
    } catch (IllegalStateException notBuilt) {
      // the build failed: nothing to remove
    }
    StoredOnDisk.deleteTree(work);
  }

  @Test
  void theAgentInTheImageReadsEveryLineOnceAndStopsGracefully() throws Exception {
    Path agentData = Files.createDirectories(work.resolve("agent-data"));
    Files.setAttribute(agentData, "unix:uid", IMAGE_USER);
    Files.setAttribute(agentData, "unix:gid", IMAGE_USER);
    int socketGroup = (Integer) Files.getAttribute(SOCKET, "unix:gid");
    String agent = Docker.run("run", "-d", "--name", agentName, "--label", Docker.RUN_LABEL,
        "--network", "host", "--group-add", String.valueOf(socketGroup),
        "-v", SOCKET + ":/var/run/docker.sock", "-v", agentData + ":/var/lib/dockline",
        tag,
        "--node-name", agentName, "--cluster-name", collector.clusterName,
        "--cluster-port", String.valueOf(agentClusterPort), "--join", "127.0.0.1:" + collector.clusterPort,
        "--include-names", writerName);
    Deadlines.await(() -> agentReady(), 120_000, "the agent from the image ready in the cluster: " + cluster()
        + "\n" + containerLog(agent));
    String log = containerLog(agent);
    for (String missing : List.of("ExtendedSocketOptions", "lowering it failed", "ClassNotFound", "NoClassDefFound",
        "UnsatisfiedLinkError")) {
      assertFalse(log.contains(missing), "the image lacks a module, program or library the node uses: " + log);
    }

    // json-file (Docker's default driver): logs mode, read from the container's first line whenever it starts
    String writer = Docker.run("run", "-d", "--name", writerName, "--label", Docker.RUN_LABEL,
        "--network", "none", "--log-driver", "json-file", Docker.IMAGE, "sh", "-c",
        "i=1; while [ $i -le " + LINES + " ]; do echo \"n $i\"; i=$((i+1)); done");
    Docker.waitExited(writer, 60_000);
    collector.awaitStored(writer, LINES, 60_000);

    List<JsonObject> lines = collector.allLines(writer);
    assertEquals(LINES, lines.size(), "lines read back through the gateway");
    for (int i = 0; i < LINES; i++) {
      JsonObject line = lines.get(i);
      assertEquals(i + 1, line.getLong("seq"));
      assertEquals("n " + (i + 1), line.getString("line"));
      assertEquals(agentName, line.getString("host"), "read by the agent in the image");
    }
    StoredOnDisk.assertExactlyOnce(List.of(collector), writer, LINES, Set.of());

    String status = Files.readString(Path.of("/proc", Docker.run("inspect", "-f", "{{.State.Pid}}", agent), "status"));
    assertTrue(status.contains("\nUid:\t" + IMAGE_USER + "\t"), "the node runs as the image's user: " + status);
    assertTrue(status.matches("(?s).*\nGroups:[^\n]*\\b" + socketGroup + "\\b.*"), "with the socket's group: " + status);
    assertTrue(Files.isDirectory(agentData.resolve("agent")), "the agent writes its data dir on the volume");

    Docker.run("stop", "-t", "90", agent);
    assertEquals("143", Docker.run("inspect", "-f", "{{.State.ExitCode}}", agent),
        "SIGTERM stops the node as on a host: " + containerLog(agent));
    assertTrue(containerLog(agent).contains("INFO Main: stopped"), containerLog(agent));
  }

  private boolean agentReady() throws Exception {
    for (Object o : cluster().getJsonArray("members", new JsonArray())) {
      JsonObject member = (JsonObject) o;
      if (!agentName.equals(member.getString("node"))) continue;
      JsonObject roles = member.getJsonObject("roles");
      return roles.getJsonObject("agent").getBoolean("ready") && roles.getJsonObject("router").getBoolean("ready");
    }
    return false;
  }

  private JsonObject cluster() throws Exception {
    return new JsonObject(collector.get("/api/cluster").body());
  }

  private static String containerLog(String id) {
    return Docker.run("logs", id);
  }
}
