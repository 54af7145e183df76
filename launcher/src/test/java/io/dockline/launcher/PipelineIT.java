package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One all-in-one node started from the fat jar against the real Docker daemon; containers on --network none
 * with the driver "none", so the attach stream is the only copy of their output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIT {
  private final String run = "dl" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private NodeProcess node;
  private String earlyTicker;

  @BeforeAll
  void startNode() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-it");
    // a container already running before the node: read from the moment the node attaches
    earlyTicker = Docker.runDetached(run + "-early", false,
        "i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 0.05; done");
    node = new NodeProcess("pipeline", work, "--exclude-names", ".*-skipme").start();
    node.awaitHealth(200, 120_000);
    node.awaitStored(earlyTicker, 1, 30_000);
    node.baselineStreams = 1;
  }

  @AfterAll
  void stopNode() throws Exception {
    if (node != null) node.close();
    Docker.removeTestContainers();
  }

  @Test
  void interleavedStreamsOfSeveralContainersAreStoredOnceInOrder() throws Exception {
    int perStream = 100_000;
    List<String> ids = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      ids.add(Docker.create(run + "-multi-" + c, false,
          "i=1; while [ $i -le " + perStream + " ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done"));
    }
    node.startWhenAttached(ids.toArray(new String[0]));
    for (String id : ids) {
      Docker.waitExited(id, 180_000);
      node.awaitStored(id, 2L * perStream, 120_000);
    }
    for (String id : ids) {
      List<JsonObject> lines = node.allLines(id);
      assertEquals(2 * perStream, lines.size(), "every line stored exactly once");
      int out = 0;
      int err = 0;
      for (int i = 0; i < lines.size(); i++) {
        JsonObject l = lines.get(i);
        assertEquals(i + 1, l.getLong("seq"), "sequence numbers increase by one");
        if (l.getString("stream").equals("stdout")) {
          assertEquals("out " + (++out), l.getString("line"));
        } else {
          assertEquals("stderr", l.getString("stream"));
          assertEquals("err " + (++err), l.getString("line"));
        }
        if (i > 0) assertTrue(l.getString("time").compareTo(lines.get(i - 1).getString("time")) > 0);
      }
      assertEquals(perStream, out);
      assertEquals(perStream, err);
      StoredOnDisk.assertExactlyOnce(List.of(node), id, 2L * perStream, Set.of());
      JsonObject first = lines.get(0);
      assertEquals(id, first.getString("containerId"));
      assertTrue(first.getString("containerName").startsWith(run + "-multi-"));
      assertEquals(Docker.IMAGE, first.getString("image"));
      assertEquals("pipeline", first.getString("host"));
      assertEquals(Docker.RUN, first.getJsonObject("labels").getString("dockline.test"));
      assertTrue(first.getString("time").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z"));
    }
  }

  @Test
  void containerRunningBeforeTheNodeIsReadFromAttachOn() throws Exception {
    node.awaitStored(earlyTicker, 20, 60_000);
    List<JsonObject> lines = node.allLines(run + "-early");
    long firstTick = Long.parseLong(lines.get(0).getString("line").substring(5));
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
      assertEquals("tick " + (firstTick + i), lines.get(i).getString("line"), "no tick missing after attach");
    }
  }

  @Test
  void ttyContainerIsReadRaw() throws Exception {
    String id = Docker.create(run + "-tty", true, "for i in $(seq 1 2000); do echo \"tty $i\"; done");
    node.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    node.awaitStored(id, 2000, 60_000);
    List<JsonObject> lines = node.allLines(id);
    assertEquals(2000, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      assertEquals("tty " + (i + 1), lines.get(i).getString("line"), "no carriage return left");
      assertEquals("stdout", lines.get(i).getString("stream"));
    }
  }

  @Test
  void longLineIsCutIntoPartsAndUnterminatedLastLineIsKept() throws Exception {
    int size = (1 << 20) + 1000;
    String id = Docker.create(run + "-long", false,
        "head -c " + size + " /dev/zero | tr '\\0' 'a'; echo; echo short; printf 'no newline at the end'");
    node.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    node.awaitStored(id, 4, 60_000);
    List<JsonObject> lines = node.allLines(id);
    assertEquals(4, lines.size());
    assertEquals(1 << 20, lines.get(0).getString("line").length());
    assertEquals(true, lines.get(0).getBoolean("partial"));
    assertEquals(1000, lines.get(1).getString("line").length());
    assertNull(lines.get(1).getValue("partial"), "the last piece of a long line is not partial");
    assertTrue((lines.get(0).getString("line") + lines.get(1).getString("line")).chars().allMatch(c -> c == 'a'));
    assertEquals("short", lines.get(2).getString("line"));
    assertEquals("no newline at the end", lines.get(3).getString("line"));
  }

  @Test
  void outputThatIsNotUtf8KeepsItsExactBytes() throws Exception {
    String id = Docker.create(run + "-latin1", false, "printf 'caf\\351\\n'; printf 'ok \\342\\234\\223\\n'");
    node.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    node.awaitStored(id, 2, 60_000);
    List<JsonObject> lines = node.allLines(id);
    assertEquals("caf\uFFFD", lines.get(0).getString("line"));
    assertEquals("caf\u00e9", new String(Base64.getDecoder().decode(lines.get(0).getString("lineBase64")),
        java.nio.charset.StandardCharsets.ISO_8859_1));
    assertEquals("ok \u2713", lines.get(1).getString("line"));
    assertFalse(lines.get(1).containsKey("lineBase64"));
  }

  @Test
  void aSilentContainerIsListedAndARenameIsFollowed() throws Exception {
    String id = Docker.runDetached(run + "-quiet", false, "sleep 60");
    JsonObject c = awaitContainer(id, run + "-quiet");
    assertEquals(0L, c.getLong("lines"));
    assertEquals(0L, c.getLong("lastSeq"));
    assertEquals(Docker.IMAGE, c.getString("image"));
    Docker.run("rename", run + "-quiet", run + "-renamed");
    awaitContainer(id, run + "-renamed");
    assertEquals(200, node.get("/api/containers/" + run + "-renamed/logs").statusCode());
    Docker.run("rm", "-f", id);
  }

  private JsonObject awaitContainer(String id, String name) throws Exception {
    long end = System.currentTimeMillis() + 30_000;
    JsonObject c = null;
    while (System.currentTimeMillis() < end) {
      c = node.container(id);
      if (c != null && name.equals(c.getString("name"))) return c;
      Thread.sleep(100);
    }
    throw new AssertionError("container " + id + " not listed as " + name + ": " + c);
  }

  @Test
  void filteredContainersAreNotRead() throws Exception {
    String ignored = Docker.run("create", "--network", "none", "--log-driver", "none", "--label", Docker.RUN_LABEL,
        "--label", "dockline.ignore=true", "--name", run + "-ignored", Docker.IMAGE, "sh", "-c", "echo secret");
    String skipped = Docker.create(run + "-skipme", false, "echo skipped");
    String read = Docker.create(run + "-read", false, "echo read");
    Docker.start(ignored, skipped, read);
    node.awaitStored(read, 1, 30_000);
    Docker.waitExited(ignored, 30_000);
    Docker.waitExited(skipped, 30_000);
    assertNull(node.container(ignored), "opted out by label");
    assertNull(node.container(skipped), "excluded by name");
  }

  @Test
  void apiAnswersErrorsAndMetrics() throws Exception {
    HttpResponse<String> missing = node.get("/api/containers/no-such-container/logs");
    assertEquals(404, missing.statusCode());
    assertTrue(new JsonObject(missing.body()).getString("error").contains("no-such-container"));
    HttpResponse<String> badLimit = node.get("/api/containers/" + run + "-early/logs?limit=zero");
    assertEquals(400, badLimit.statusCode());
    assertTrue(new JsonObject(badLimit.body()).getString("error").contains("limit"));
    assertEquals(200, node.get("/health").statusCode());
    node.awaitStored(earlyTicker, 5, 30_000);
    String metrics = node.get("/metrics").body();
    for (String m : List.of("dockline_lines_read_total", "dockline_bytes_read_total", "dockline_batches_sent_total",
        "dockline_batches_acked_total", "dockline_lines_stored_total")) {
      assertTrue(metrics.lines().anyMatch(l -> l.startsWith(m) && !l.endsWith(" 0.0")), m + " missing or zero");
    }
  }
}
