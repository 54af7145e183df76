package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Lines leave by rule: by age (seconds here), by a container's size cap, and by an operator's purge; reads and
 * live tails then start at the first kept line and say so. One node with every role, shared by the cases: the
 * node's age is 5 s, and the containers of the size and purge cases keep theirs with the label
 * {@code dockline.retention=1h}. Compression off, so sizes are the lines' own and a purged line's text can be
 * looked for in the segment files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RetentionIT {
  private static final String TOKEN = "it-retention-token";
  private static final String READ_TOKEN = "it-retention-read";
  private static final long CAP = 256 << 10;
  private static final long SEGMENT = 64 << 10;
  private final String run = "rt" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private NodeProcess node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    Docker.removeTestContainers();
    Path work = Files.createTempDirectory("dockline-retention-it");
    node = new NodeProcess("retention", work, "--auth-token", TOKEN, "--read-token", READ_TOKEN,
        "--include-names", run + ".*", "--retention-age", "5s", "--segment-seal-after", "2s",
        "--segment-bytes", Long.toString(SEGMENT), "--retention-container-bytes", Long.toString(CAP),
        "--compression", "none").start();
    node.awaitHealth(200, 120_000);
    api = new Api(node, TOKEN);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    Docker.removeTestContainers();
  }

  @Test
  void linesOlderThanTheAgeGoAndAContainerWithNothingLeftLeavesTheList() throws Exception {
    String old = write("old", null, 200, "old line", 200, "0");
    String kept = write("kept", "1h", 200, "kept line", 200, "0");
    Deadlines.await(() -> api.container(run + "-old") == null, 60_000,
        "a container whose every line aged out leaves /api/containers");
    assertEquals(404, api.get("/api/containers/" + old + "/logs?after=0").statusCode());
    JsonObject k = api.container(run + "-kept");
    assertEquals(1L, k.getLong("firstSeq"), "the label keeps a container's lines longer: " + k.encode());
    assertEquals(200L, k.getLong("lastSeq"));
    assertEquals(200, api.lines("/api/containers/" + kept + "/logs?after=0").size());
    assertTrue(node.metric("dockline_retention_deleted_segments_total") >= 1);
  }

  @Test
  void aContainerOverItsCapLosesItsOldestSegmentsAndReadsAndTailsStartAtTheFirstKeptLine() throws Exception {
    int lines = 4_000;
    // every segment's size as last seen: one that retention deleted was sealed (no longer growing) a while before
    Map<Path, Long> seen = new ConcurrentHashMap<>();
    Thread watch = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try (Stream<Path> files = Files.walk(node.dataDir.resolve("collector"))) {
          files.filter(p -> p.toString().endsWith(".seg")).forEach(p -> {
            try {
              seen.put(p, Files.size(p));
            } catch (java.io.IOException deletedMeanwhile) {
              // retention removed it between the listing and the size
            }
          });
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        } catch (Exception deletedDuringTheWalk) {
          // a directory or file went while it was listed: the next round sees the rest
        }
      }
    });
    watch.setDaemon(true);
    watch.start();
    // in pieces, so that they come in many batches: a segment is closed between two batches
    String id = write("big", "1h", lines, "big line with some padding to make it about one hundred and fifty bytes long ....",
        200, "0.1");
    awaitFirstSeqAbove(run + "-big", 1);
    // the cap is applied by each retention run (every second here), not by each write: the lines written since
    // the last run may stand over it until the next
    Deadlines.await(() -> segmentBytes(id) <= CAP + SEGMENT, 10_000,
        "the container's segments at most the cap " + CAP + " plus one segment after a retention run");
    // and settled: the run after the one that brought it under the cap may still take a segment (the lines written
    // between two runs), so the first kept line is read once it held through three runs
    long[] settled = {0, System.nanoTime()};
    Deadlines.await(() -> {
      long now = api.container(run + "-big").getLong("firstSeq");
      if (now != settled[0]) {
        settled[0] = now;
        settled[1] = System.nanoTime();
      }
      return System.nanoTime() - settled[1] > 3_000_000_000L;
    }, 30_000, "retention settled");
    JsonObject c = api.container(run + "-big");
    long first = c.getLong("firstSeq");
    assertEquals(settled[0], first, "no retention run took more once settled");
    assertEquals(lines, c.getLong("lastSeq"));
    long onDisk = segmentBytes(id);
    watch.interrupt();
    watch.join(5_000);
    // no more than needed goes: with the newest deleted segment (a segment can pass SEGMENT by a batch) the
    // container would be over the cap
    List<Path> kept = segments(id);
    Path newestDeleted = seen.keySet().stream().filter(p -> p.getParent().endsWith(id) && !kept.contains(p))
        .max(Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
    assertTrue(onDisk + seen.get(newestDeleted) > CAP,
        "no more than needed goes: " + onDisk + " kept, the newest deleted segment " + seen.get(newestDeleted));

    HttpResponse<String> page = api.get("/api/containers/" + id + "/logs?after=0&limit=10");
    assertEquals(200, page.statusCode(), page.body());
    assertEquals("1-" + (first - 1), page.headers().firstValue("X-Dockline-Trimmed").orElse(null));
    assertEquals(first, new JsonObject(page.body().split("\n")[0]).getLong("seq"));

    try (Api.Events tail = api.events("/api/containers/" + id + "/logs?follow=true&after=0", null)) {
      assertEquals(200, tail.status);
      JsonObject trimmed = tail.next();
      assertEquals("trimmed", trimmed.getString("event"), trimmed.encode());
      JsonObject range = new JsonObject(trimmed.getString("data"));
      assertEquals(1L, range.getLong("from"));
      assertEquals(first - 1, range.getLong("to"));
      JsonObject line = tail.next();
      assertEquals("line", line.getString("event"));
      assertEquals(Long.toString(first), line.getString("id"));
    }
  }

  @Test
  void aPurgeDeletesExactlyThroughASeqOrATimeAndNeedsAFullToken() throws Exception {
    // two halves a second apart, so a time tells them apart (a purge by time goes to the millisecond)
    String id = write("secret", "1h", 1_000, "secret line", 500, "1");
    String path = "/api/containers/" + id + "/logs?through=400";
    assertEquals(401, new Api(node, null).delete(path).statusCode());
    HttpResponse<String> readOnly = new Api(node, READ_TOKEN).delete(path);
    assertEquals(403, readOnly.statusCode(), readOnly.body());
    assertEquals(400, api.delete("/api/containers/" + id.substring(0, 12) + "/logs?through=400").statusCode(),
        "a prefix names no container to purge");
    assertEquals(400, api.delete("/api/containers/" + id + "/logs").statusCode());

    HttpResponse<String> done = api.delete(path);
    assertEquals(200, done.statusCode(), done.body());
    assertEquals(401L, new JsonObject(done.body()).getJsonArray("collectors").getJsonObject(0).getLong("firstSeq"));
    List<JsonObject> left = api.lines("/api/containers/" + id + "/logs?after=0&limit=100000");
    assertEquals(600, left.size());
    assertEquals("secret line 401", left.get(0).getString("line"));
    assertEquals(401L, api.container(run + "-secret").getLong("firstSeq"));

    // before a time: the lines stamped before line 501's, the first of the second half
    String time501 = api.lines("/api/containers/" + id + "/logs?after=500&limit=1").get(0).getString("time");
    HttpResponse<String> byTime = api.delete("/api/containers/" + id + "/logs?before=" + time501);
    assertEquals(200, byTime.statusCode(), byTime.body());
    assertEquals(501L, api.container(run + "-secret").getLong("firstSeq"));

    String[] cli = NodeProcess.runJar("purge", "--url", node.url(), "--token", TOKEN, "--through", "700", id);
    assertEquals("0", cli[0], cli[1]);
    assertTrue(cli[1].contains("first kept seq 701"), cli[1]);
    String[] noToken = NodeProcess.runJar("purge", "--url", node.url(), "--through", "800", id);
    assertEquals("1", noToken[0], noToken[1]);

    List<Long> onDisk = StoredOnDisk.seqs(node, id);
    assertEquals(300, onDisk.size());
    assertEquals(701L, (long) onDisk.get(0));
    for (Path seg : segments(id)) {
      String text = new String(Files.readAllBytes(seg), StandardCharsets.ISO_8859_1);
      assertTrue(!text.contains("secret line 700\n") && !text.contains("secret line 1\n")
          && !text.contains("secret line 699"), seg + " still holds a purged line");
    }
  }

  /**
   * Runs a container that writes {@code n} numbered lines, pausing {@code pause} seconds after every {@code piece} lines, and exits;
   * waits until they are stored.
   */
  private String write(String name, String retentionLabel, int n, String text, int piece, String pause)
      throws Exception {
    List<String> a = new java.util.ArrayList<>(List.of("create", "--network", "none", "--label", Docker.RUN_LABEL,
        "--log-driver", "none", "--name", run + "-" + name));
    if (retentionLabel != null) a.addAll(List.of("--label", "dockline.retention=" + retentionLabel));
    a.addAll(List.of(Docker.IMAGE, "sh", "-c", "i=1; while [ $i -le " + n + " ]; do echo \"" + text + " $i\"; "
        + "[ $((i % " + piece + ")) -eq 0 ] && sleep " + pause + "; i=$((i+1)); done"));
    String id = Docker.run(a.toArray(new String[0]));
    node.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    api.awaitStored(run + "-" + name, n, 60_000);
    return id;
  }

  private JsonObject awaitFirstSeqAbove(String name, long seq) throws Exception {
    long end = System.currentTimeMillis() + 60_000;
    JsonObject c = null;
    while (System.currentTimeMillis() < end) {
      c = api.container(name);
      if (c != null && c.getLong("firstSeq", 0L) > seq) return c;
      Thread.sleep(250);
    }
    throw new AssertionError(name + ": first seq never above " + seq + ": " + c);
  }

  private List<Path> segments(String id) throws Exception {
    try (Stream<Path> files = Files.list(node.dataDir.resolve("collector").resolve(id))) {
      return files.filter(p -> p.toString().endsWith(".seg")).toList();
    }
  }

  private long segmentBytes(String id) throws Exception {
    long sum = 0;
    for (Path p : segments(id)) sum += Files.size(p);
    return sum;
  }
}
