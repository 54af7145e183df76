package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A text search through the API (the collector scans its stored bytes and answers only matching lines) gives
 * exactly what a plain filter of every line gives, over compacted (zstd) segments and the one being written,
 * page by page with the smallest limits: a sparse match is found across many pages, each continuing after the
 * seq the one before says it scanned through.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SearchIT {
  private static final int LINES = 6_000;
  private final String run = "se" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private NodeProcess node;
  private Api api;
  private String id;

  @BeforeAll
  void start() throws Exception {
    Docker.removeTestContainers();
    Path work = Files.createTempDirectory("dockline-search-it");
    node = new NodeProcess("search", work, "--include-names", run + ".*", "--segment-bytes", Long.toString(32 << 10))
        .start();
    node.awaitHealth(200, 120_000);
    api = new Api(node, null);
    // numbered lines of three kinds, JSON with quotes among them; "needle" on one line in a thousand; a pause
    // after each thousand, so the lines come in several batches (a segment rotates only between batches)
    String script = "i=1; while [ $i -le " + LINES + " ]; do "
        + "case $((i % 3)) in 0) echo \"{\\\"n\\\":$i,\\\"level\\\":\\\"warn\\\"}\";; 1) echo \"GET /api/orders/$i 200\";; "
        + "*) echo \"worker $i done\";; esac; "
        + "[ $((i % 1000)) -eq 7 ] && echo \"the needle after $i\"; [ $((i % 1000)) -eq 0 ] && sleep 0.5; i=$((i+1)); done";
    id = Docker.run("create", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
        "--name", run + "-lines", Docker.IMAGE, "sh", "-c", script);
    node.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    api.awaitStored(run + "-lines", LINES + 6, 60_000);
    // the compactor runs at background priority: on a loaded machine it waits its turn
    Deadlines.await(this::sealedSegmentsCompacted, 180_000, "the sealed segments are compacted");
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    Docker.removeTestContainers();
  }

  @Test
  void searchAnswersEqualAPlainFilterOfEveryLineOnEveryPageSize() throws Exception {
    List<JsonObject> all = readAll("", 100_000);
    assertEquals(LINES + 6, all.size());
    for (String text : List.of("needle", "\"level\":\"warn\"", "orders/1", "done", "nowhere at all")) {
      List<JsonObject> expected = new ArrayList<>();
      for (JsonObject l : all) if (l.getString("line").contains(text)) expected.add(l);
      for (int limit : new int[] {100_000, 1, 7}) {
        if (limit == 1 && expected.size() > 100) continue; // a page per line: only for the sparse texts
        assertEquals(expected, readAll("&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8), limit),
            "'" + text + "' limit " + limit);
      }
    }
  }

  @Test
  void aSparseMatchTakesAPagePerMatchAndThenSaysThereIsNoMore() throws Exception {
    HttpResponse<String> page = api.get(logs() + "?limit=1&text=needle&after=0");
    assertEquals(200, page.statusCode(), page.body());
    JsonObject first = new JsonObject(page.body().trim());
    assertEquals("the needle after 7", first.getString("line"));
    assertEquals(Long.toString(first.getLong("seq")), page.headers().firstValue("X-Dockline-Scanned-Through").orElse(""));
    assertEquals("true", page.headers().firstValue("X-Dockline-More").orElse(""));
    HttpResponse<String> last = api.get(logs() + "?limit=10&text=needle&after=" + (LINES + 6 - 10));
    assertEquals("", last.body());
    assertEquals("false", last.headers().firstValue("X-Dockline-More").orElse(""));
    assertEquals(Long.toString(LINES + 6), last.headers().firstValue("X-Dockline-Scanned-Through").orElse(""));
    // tail: the text among the last lines only
    List<JsonObject> tail = api.lines(logs() + "?tail=1000&text=needle");
    assertEquals(1, tail.size());
    assertEquals("the needle after 5007", tail.get(0).getString("line"));
  }

  private String logs() {
    return "/api/containers/" + id + "/logs";
  }

  /** Every line a query gives, paging as a client does: after the seq each page says it scanned through. */
  private List<JsonObject> readAll(String query, int limit) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    long after = 0;
    for (int pages = 0; pages < 100_000; pages++) {
      HttpResponse<String> page = api.get(logs() + "?limit=" + limit + "&after=" + after + query);
      assertEquals(200, page.statusCode(), page.body());
      int before = out.size();
      for (String l : page.body().split("\n")) if (!l.isEmpty()) out.add(new JsonObject(l));
      assertTrue(out.size() - before <= limit, "a page within its limit");
      long through = Long.parseLong(page.headers().firstValue("X-Dockline-Scanned-Through").orElseThrow());
      if (!"true".equals(page.headers().firstValue("X-Dockline-More").orElse(""))) return out;
      assertTrue(through > after, "a page that says there is more moves on: " + through + " after " + after);
      after = through;
    }
    throw new AssertionError("paging did not end");
  }

  /** Every segment but the last (the one being written) is compacted into blocks, and there are several. */
  private boolean sealedSegmentsCompacted() throws Exception {
    List<Path> segs;
    try (Stream<Path> files = Files.list(node.dataDir.resolve("collector").resolve(id))) {
      segs = files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
    if (segs.size() < 3) return false;
    for (Path s : segs.subList(0, segs.size() - 1)) {
      try (FileChannel channel = FileChannel.open(s, StandardOpenOption.READ)) {
        ByteBuffer head = ByteBuffer.allocate(8);
        channel.read(head, 0);
        if (head.getInt(0) != 0x444B4C53 || (head.getShort(6) & 2) == 0) return false;
      }
    }
    return true;
  }
}
