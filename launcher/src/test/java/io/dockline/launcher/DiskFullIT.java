package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
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
 * A collector whose disk fills while a container writes: it acknowledges nothing it could not store, leaves the
 * write ring (still serving reads), and comes back by itself once the disk has room again; every line written is
 * stored once, in order. Two processes from the fat jar: an agent (with router and gateway) and a collector
 * (with a gateway of its own, for its {@code /health} and metrics) whose data dir is a 20 MiB tmpfs.
 * {@code min-free-disk 0}: the disk really fills and a write fails with ENOSPC (the free-space check before
 * writing would stop it a little earlier).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DiskFullIT {
  private static final int LINES = 40_000;
  private final String run = "df" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private Path tmpfs;
  private boolean mounted;
  private NodeProcess agent;
  private NodeProcess collector;

  @BeforeAll
  void start() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-diskfull-it");
    collector = new NodeProcess("full-collector", work, "--roles", "collector,gateway", "--min-free-disk", "0",
        "--segment-bytes", "1048576");
    tmpfs = collector.dataDir;
    Files.createDirectories(tmpfs);
    sh("mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", tmpfs.toString());
    mounted = true;
    agent = new NodeProcess("full-agent", work, "--roles", "agent,router,gateway", "--include-names", run + ".*");
    NodeProcess.pair("it-full-" + run, collector, agent);
    collector.start();
    agent.start();
    agent.awaitHealth(200, 120_000);
    collector.awaitHealth(200, 120_000);
  }

  @AfterAll
  void stop() throws Exception {
    if (agent != null) agent.close();
    if (collector != null) collector.close();
    Docker.removeTestContainers();
    if (mounted) sh("umount", "-l", tmpfs.toString());
  }

  @Test
  void aFullDiskStopsAcknowledgementsAndTheCollectorRejoinsByItselfWithEveryLineOnce() throws Exception {
    // ~100 bytes a line, a few thousand lines a second: the container writes all through the outage
    String id = Docker.create(run + "-w", false, "i=1; while [ $i -le " + LINES + " ]; do "
        + "echo \"line $i of the disk-full test, padded to about one hundred bytes with some text .........\"; "
        + "[ $((i % 500)) -eq 0 ] && sleep 0.2; i=$((i+1)); done");
    agent.startWhenAttached(id);
    agent.awaitStored(id, 2_000, 60_000);

    Path filler = fill(tmpfs.resolve("filler"));
    Deadlines.await(() -> shortOfDisk(), 60_000, "the collector says it is short of disk");
    JsonObject health = collector.awaitHealth(503, 30_000);
    assertEquals(new JsonArray().add("collector"), health.getJsonArray("shortOfDisk"), health.encode());
    Deadlines.await(() -> !onWriteRing(), 30_000, "the collector left the write ring");
    JsonObject ring = new JsonObject(agent.get("/api/ring").body());
    JsonObject entry = ring.getJsonArray("collectors").getJsonObject(0);
    assertFalse(entry.getBoolean("ready"), ring.encode());
    assertTrue(entry.getJsonObject("disk").containsKey("shortOfDisk"), ring.encode());

    // while full it acknowledges nothing: what it stored stays put while the container goes on writing
    long storedWhenFull = agent.container(id).getLong("lastSeq");
    double readWhenFull = agent.metric("dockline_lines_read_total");
    Deadlines.await(() -> agent.metric("dockline_lines_read_total") > readWhenFull + 2_000, 60_000, "the container wrote on");
    assertEquals(storedWhenFull, agent.container(id).getLong("lastSeq"), "nothing stored while the disk is full");
    assertTrue(collector.metric("dockline_batches_refused_full_total") > 0, "writes were refused for lack of disk");
    assertEquals(storedWhenFull, agent.allLines(id).size(), "reads are served while full");

    Files.delete(filler);
    collector.awaitHealth(200, 60_000);
    Deadlines.await(() -> onWriteRing(), 30_000, "the collector is back on the write ring");
    Docker.waitExited(id, 180_000);
    agent.awaitStored(id, LINES, 120_000);

    List<JsonObject> lines = agent.allLines(id);
    assertEquals(LINES, lines.size());
    for (int i = 0; i < LINES; i++) {
      assertEquals(i + 1, lines.get(i).getLong("seq"));
      assertTrue(lines.get(i).getString("line").startsWith("line " + (i + 1) + " of"), lines.get(i).encode());
    }
    StoredOnDisk.assertExactlyOnce(List.of(collector), id, LINES, java.util.Set.of());
    assertTrue(collector.metric("dockline_collector_disk_full_total") >= 1);
    HttpResponse<String> purge = new Api(agent, null).delete("/api/containers/" + id + "/logs?through=1");
    assertEquals(403, purge.statusCode(), "no purge on a node without auth-token: " + purge.body());
  }

  /** Writes zeros to {@code file} until the file system has no room left. */
  private static Path fill(Path file) throws IOException {
    byte[] block = new byte[64 << 10];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < 1_000; i++) out.write(block);
      throw new AssertionError("64 MB went into a 20 MiB tmpfs");
    } catch (IOException full) {
      return file;
    }
  }

  private boolean shortOfDisk() throws Exception {
    JsonObject cluster = new JsonObject(agent.get("/api/cluster").body());
    for (Object m : cluster.getJsonArray("members")) {
      JsonObject member = (JsonObject) m;
      JsonObject c = member.getJsonObject("roles", new JsonObject()).getJsonObject("collector");
      if (c != null && c.containsKey("shortOfDisk")) return true;
    }
    return false;
  }

  private boolean onWriteRing() throws Exception {
    JsonObject ring = new JsonObject(agent.get("/api/ring").body());
    for (Object c : ring.getJsonArray("collectors", new JsonArray())) {
      if (((JsonObject) c).getBoolean("ready", false)) return true;
    }
    return false;
  }

  private static void sh(String... cmd) throws Exception {
    Process p = Deadlines.killAfter(new ProcessBuilder(cmd).redirectErrorStream(true).start(), 30);
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + ": " + out);
  }
}
