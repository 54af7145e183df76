package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The web console in headless Chromium (Debian's package, driven over WebDriver) against a real node and real
 * containers: the live tail of a clicked container, and the search view (lines, histogram, paging, live mode).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ConsoleIT {
  /** A line of markup the console must show as text (each web replica writes it first). */
  private static final String HOSTILE = "ERROR <img src=x onerror=\"window.pwned=1\"> & <b>bold</b>";
  private final String run = "co" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final List<String> containers = new ArrayList<>(List.of(run + "-web", run + "-worker"));
  private NodeProcess node;

  @AfterEach
  void cleanUp() throws Exception {
    if (node != null) node.close();
    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
    rm.addAll(containers);
    Docker.run(rm.toArray(new String[0]));
  }

  @Test
  void liveTailShowsNewLinesOfTheClickedContainerAndFiltersThem() throws Exception {
    Path work = Files.createTempDirectory("dockline-console-it");
    node = new NodeProcess("console", work).start();
    Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--label", "app=web",
        "--log-driver", "none", "--name", run + "-web", Docker.IMAGE, "sh", "-c",
        "i=0; while true; do i=$((i+1)); echo \"GET /api/items/$i 200 $((i % 7 + 1))ms\";"
            + " [ $((i % 10)) -eq 0 ] && echo \"WARN slow request $i\" >&2; sleep 0.1; done");
    Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
        "--name", run + "-worker", Docker.IMAGE, "sh", "-c",
        "i=0; while true; do i=$((i+1)); echo \"job $i done\"; sleep 0.5; done");
    node.awaitHealth(200, 120_000);
    Api api = new Api(node, null);
    api.awaitStored(run + "-web", 5, 60_000);
    api.awaitStored(run + "-worker", 1, 60_000);

    try (Browser browser = Browser.start()) {
      browser.open("http://127.0.0.1:" + node.httpPort + "/");
      // the cluster view: this member, ready, and the ring with its collector
      browser.find("#members tr[data-node='console'] td.ok", 20_000);
      browser.find("#ring .collector[data-node='console']", 20_000);
      // replication at a glance: a lone collector is not short of replicas
      String ringMeta = String.valueOf(browser.script("return document.querySelector('#ring-meta').textContent;"));
      assertTrue(ringMeta.contains("replication 2, every stream fully replicated"), ringMeta);
      browser.find("#containers tr[data-name='" + run + "-worker']", 20_000);
      browser.click("#containers tr[data-name='" + run + "-web']", 20_000);
      long storedAtClick = api.container(run + "-web").getLong("lastSeq");
      // lines the container writes from now on must appear, in order, none missing
      long end = System.currentTimeMillis() + 30_000;
      JsonArray seqs = new JsonArray();
      while (System.currentTimeMillis() < end) {
        seqs = (JsonArray) browser.script(
            "return [...document.querySelectorAll('#tail-lines .line')].map(e => Number(e.dataset.seq));");
        if (!seqs.isEmpty() && seqs.getLong(seqs.size() - 1) >= storedAtClick + 20) break;
        Thread.sleep(200);
      }
      assertFalse(seqs.isEmpty(), "no line in the live view");
      assertTrue(seqs.getLong(seqs.size() - 1) >= storedAtClick + 20, "new lines did not arrive: " + seqs);
      for (int i = 1; i < seqs.size(); i++) assertEquals(seqs.getLong(i - 1) + 1, seqs.getLong(i), "in order, none missing");
      assertEquals(run + "-web", browser.script("return document.querySelector('#tail-title').textContent;"));
      assertEquals("following", browser.script("return document.querySelector('#tail-state').textContent;"));
      assertTrue((Boolean) browser.script("return document.querySelectorAll('#tail-lines .line.stderr').length > 0;"),
          "stderr lines are shown too");
      assertLossesShownAsTheApiTells(browser, api.getJson("/api/containers/" + run + "-web"));

      // the filter keeps only matching lines, and keeps applying to lines that arrive after it was typed
      browser.type(browser.find("#tail-filter", 5_000), "WARN");
      long filteredFrom = api.container(run + "-web").getLong("lastSeq");
      end = System.currentTimeMillis() + 20_000;
      List<?> shown = List.of();
      while (System.currentTimeMillis() < end) {
        shown = ((JsonArray) browser.script("return [...document.querySelectorAll('#tail-lines .line')]"
            + ".map(e => [Number(e.dataset.seq), e.querySelector('.text').textContent]);")).getList();
        if (shown.stream().anyMatch(l -> ((List<?>) l).get(0) instanceof Number
            && ((Number) ((List<?>) l).get(0)).longValue() > filteredFrom)) break;
        Thread.sleep(200);
      }
      assertFalse(shown.isEmpty());
      for (Object l : shown) assertTrue(((List<?>) l).get(1).toString().startsWith("WARN slow request"), l.toString());
      assertTrue(shown.stream().anyMatch(l -> ((Number) ((List<?>) l).get(0)).longValue() > filteredFrom),
          "a line that arrived after the filter was typed: " + shown);

      browser.script("document.querySelector('#tail-filter').value = ''; "
          + "document.querySelector('#tail-filter').dispatchEvent(new Event('input'));");
      Thread.sleep(2500); // a refresh of the tables, so the screenshot shows rates
      Path png = Path.of(System.getProperty("dockline.screenshot", "target/console.png"));
      browser.screenshot(png);
      assertTrue(Files.size(png) > 10_000);
    }
  }

  /**
   * The followed container's loss ledger is shown: "no lines lost", or each reason the API lists (a
   * {@code docker run -d} may race the attach: then "late-attach").
   */
  private static void assertLossesShownAsTheApiTells(Browser browser, JsonObject container) throws Exception {
    JsonObject lost = container.getJsonObject("lost");
    assertTrue(lost != null && !lost.containsKey("error"), "the API gives the ledger: " + container.encode());
    long end = System.currentTimeMillis() + 20_000;
    String shown = "";
    while (shown.isEmpty() && System.currentTimeMillis() < end) {
      shown = String.valueOf(browser.script("return document.querySelector('#tail-losses').textContent;"));
      Thread.sleep(200);
    }
    JsonArray reasons = lost.getJsonArray("reasons");
    if (reasons.isEmpty()) assertEquals("no lines lost", shown);
    for (Object r : reasons) {
      assertTrue(shown.contains(((JsonObject) r).getString("reason")), shown + " vs " + lost.encode());
    }
  }

  /**
   * Search by service and text: the newest page first, "more" until the last, each matching line once and in
   * order (a hostile line shown as text); the histogram's bars as /api/stats counts and as the lines written
   * fall in its steps; a click on a bar narrows the search to that step.
   */
  @Test
  void searchViewShowsTheMatchingLinesTheirHistogramAndPagesOn() throws Exception {
    Path work = Files.createTempDirectory("dockline-console-it");
    node = new NodeProcess("console", work).start();
    node.awaitHealth(200, 120_000);
    List<String> web = List.of(run + "-web-1", run + "-web-2");
    List<String> ids = new ArrayList<>();
    for (String name : List.of(web.get(0), web.get(1), run + "-worker-1")) {
      // markup the console must show as text, then 150 lines over about 15 s, every third an ERROR
      String script = "echo '" + HOSTILE + "'; i=1; while [ $i -le 150 ]; do "
          + "if [ $((i % 3)) -eq 0 ]; then echo \"ERROR " + name + " request $i failed\"; else echo \"" + name
          + " GET /items/$i 200\"; fi; [ $((i % 10)) -eq 0 ] && sleep 1; i=$((i+1)); done";
      containers.add(name);
      ids.add(Docker.run("create", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
          "--label", "com.docker.compose.project=shop-" + run,
          "--label", "com.docker.compose.service=" + (web.contains(name) ? "web" : "worker"),
          "--name", name, Docker.IMAGE, "sh", "-c", script));
    }
    node.startWhenAttached(ids.toArray(new String[0]));
    for (String id : ids) Docker.waitExited(id, 60_000);
    Api api = new Api(node, null);
    List<JsonObject> matching = new ArrayList<>(); // what the search must show: web's ERROR lines, newest first
    for (String name : web) {
      api.awaitStored(name, 151, 60_000);
      for (JsonObject l : api.lines("/api/containers/" + name + "/logs?limit=100000")) {
        if (l.getString("line").contains("ERROR")) matching.add(l);
      }
    }
    assertEquals(2 * 51, matching.size());
    matching.sort(Comparator.comparingLong((JsonObject l) -> nanos(l.getString("time")))
        .thenComparing(l -> l.getString("containerId")).thenComparingLong(l -> l.getLong("seq")).reversed());

    try (Browser browser = Browser.start()) {
      browser.open("http://127.0.0.1:" + node.httpPort + "/");
      browser.type(browser.find("#search-form input[name=service]", 20_000), "web");
      browser.type(browser.find("#search-form input[name=text]", 5_000), "ERROR");
      browser.script("const f = document.querySelector('#search-form').elements; f.since.value = '15m'; f.limit.value = '50';");
      browser.click("#search-run", 5_000);
      awaitSearched(browser);
      List<JsonArray> rows = searchRows(browser);
      assertEquals(keys(matching.subList(0, 50)), rows.stream().map(r -> r.getString(0)).toList(), "the newest page");
      for (JsonArray r : rows) {
        assertTrue(web.contains(r.getString(1)), "a line of service web: " + r);
        assertTrue(r.getString(2).contains("ERROR"), "a line with the text: " + r);
      }
      for (int page = 0; page < 10 && !(Boolean) browser.script("return document.querySelector('#search-more').hidden;"); page++) {
        browser.click("#search-more", 5_000);
        awaitScript(browser, "return !document.querySelector('#search-more').disabled;");
      }
      rows = searchRows(browser);
      assertEquals(keys(matching), rows.stream().map(r -> r.getString(0)).toList(), "every matching line once, in order");
      assertEquals(2L, rows.stream().filter(r -> r.getString(2).equals(HOSTILE)).count(),
          "markup in a line is shown as its text");
      assertEquals(true, browser.script("return document.querySelector('#search-lines img, #search-lines b') === null"
          + " && window.pwned === undefined;"), "markup in a line is never made into elements");

      // the bars: as /api/stats counts the search's lines, and as the lines written fall in the steps
      String query = (String) browser.script("return document.querySelector('#histogram-svg').dataset.query;");
      JsonObject stats = api.getJson("/api/stats?" + query);
      assertEquals("PT10S", stats.getString("step"), "15 minutes in 90 bars");
      long step = Duration.parse(stats.getString("step")).toNanos();
      Map<Long, Long> counted = new TreeMap<>();
      for (Object g : stats.getJsonArray("groups")) {
        assertEquals("web", ((JsonObject) g).getString("key"));
        for (Object b : ((JsonObject) g).getJsonArray("buckets")) {
          counted.merge(nanos(((JsonObject) b).getString("time")), ((JsonObject) b).getLong("lines"), Long::sum);
        }
      }
      Map<Long, Long> written = new TreeMap<>();
      for (JsonObject l : matching) written.merge(Math.floorDiv(nanos(l.getString("time")), step) * step, 1L, Long::sum);
      Map<Long, Long> drawn = bars(browser);
      assertEquals(written, counted, "the stats count the lines written");
      assertEquals(counted, drawn, "a bar per step, as high as the stats count");
      assertTrue(drawn.size() >= 2, "lines over 15 s fall in several 10 s bars: " + drawn);

      // a click on the highest bar: the lines of its step, all of them, and a finer histogram of them
      long tallest = drawn.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
      String time = rawBars(browser).stream().map(b -> b.getString(0)).filter(t -> nanos(t) == tallest).findFirst().orElseThrow();
      browser.script("document.querySelector('#search-form').elements.limit.value = '1000';");
      browser.click("#histogram-svg rect.bar[data-time='" + time + "']", 5_000);
      awaitScript(browser, "return document.querySelector('#search-form').elements.since.value !== '15m';");
      awaitSearched(browser);
      assertEquals(tallest, nanos((String) browser.script("return document.querySelector('#search-form').elements.since.value;")));
      List<JsonObject> inStep = matching.stream().filter(l -> Math.floorDiv(nanos(l.getString("time")), step) * step == tallest).toList();
      assertEquals(keys(inStep), searchRows(browser).stream().map(r -> r.getString(0)).toList(), "the lines of the bar's step");
      assertEquals(inStep.size(), bars(browser).values().stream().mapToLong(Long::longValue).sum(), "the finer bars count them");

      Thread.sleep(500);
      browser.script("document.querySelector('#search-view').scrollIntoView();");
      Path png = Path.of(System.getProperty("dockline.search.screenshot", "target/console-search.png"));
      browser.screenshot(png);

      // a regex marks nothing: the lines' text is set whole, and markup in it stays text there too
      browser.script("const f = document.querySelector('#search-form').elements; f.text.value = '<img src=x';"
          + " f.regex.checked = true; f.since.value = '15m'; f.until.value = '';");
      browser.click("#search-run", 5_000);
      awaitSearched(browser);
      assertEquals(List.of(HOSTILE, HOSTILE), searchRows(browser).stream().map(r -> r.getString(2)).toList());
      assertEquals(true, browser.script("return document.querySelector('#search-lines img, #search-lines b') === null;"),
          "markup in a line is never made into elements");
      Thread.sleep(500); // an img made of the line would have failed to load by now, and run its onerror
      assertEquals(true, browser.script("return window.pwned === undefined;"), "no script of a line ran");
    }
  }

  /**
   * Live mode: the search's lines, then every line written after it started, newest first, each once; a replica
   * of the service started after live mode began shows up too. The node wants a token: the search sends it as a
   * header, live mode (an EventSource) as {@code access_token}.
   */
  @Test
  void liveModeAddsTheLinesWrittenAfterItStarted() throws Exception {
    Path work = Files.createTempDirectory("dockline-console-it");
    String token = "console-it-" + run;
    node = new NodeProcess("console", work, "--auth-token", token).start();
    node.awaitHealth(200, 120_000);
    String first = run + "-clock-1";
    String late = run + "-clock-2";
    containers.addAll(List.of(first, late));
    startClock(first);
    Api api = new Api(node, token);
    api.awaitStored(first, 3, 60_000);

    try (Browser browser = Browser.start()) {
      browser.open("http://127.0.0.1:" + node.httpPort + "/console/#token=" + token);
      browser.type(browser.find("#search-form input[name=service]", 20_000), "clock");
      browser.script("document.querySelector('#search-form').elements.since.value = '5m';");
      browser.click("#search-live", 5_000);
      awaitSearched(browser);
      awaitScript(browser, "return document.querySelector('#live-state').textContent === 'live';");
      long storedAtStart = api.container(first).getLong("lastSeq");
      String firstId = api.container(first).getString("id");
      startClock(late);
      awaitScript(browser, "return [...document.querySelectorAll('#search-lines .line.live')]"
          + ".some(e => e.dataset.container === '" + late + "')"
          + " && [...document.querySelectorAll('#search-lines .line.live')]"
          + ".some(e => e.dataset.key === '" + firstId + "/" + (storedAtStart + 10) + "');");
      List<JsonArray> rows = searchRows(browser);
      List<String> keys = rows.stream().map(r -> r.getString(0)).toList();
      assertEquals(keys.size(), new HashSet<>(keys).size(), "each line once: " + keys);
      for (long seq = storedAtStart + 1; seq <= storedAtStart + 10; seq++) {
        assertTrue(keys.contains(firstId + "/" + seq), "a line written after live mode began: seq " + seq + " in " + keys);
      }
      for (JsonArray r : rows) assertTrue(r.getString(2).startsWith("tick "), r.toString());
      JsonArray times = (JsonArray) browser.script(
          "return [...document.querySelectorAll('#search-lines .line')].map(e => e.dataset.time);");
      for (int i = 1; i < times.size(); i++) {
        assertTrue(times.getString(i - 1).compareTo(times.getString(i)) >= 0, "newest first: " + times);
      }
    }
  }

  /** A replica of service clock (project shop-RUN): a tick every 0.2 s. */
  private void startClock(String name) throws Exception {
    Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
        "--label", "com.docker.compose.project=shop-" + run, "--label", "com.docker.compose.service=clock",
        "--name", name, Docker.IMAGE, "sh", "-c", "i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 0.2; done");
  }

  private static long nanos(String rfc3339) {
    Instant t = Instant.parse(rfc3339);
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static List<String> keys(List<JsonObject> lines) {
    return lines.stream().map(l -> l.getString("containerId") + "/" + l.getLong("seq")).toList();
  }

  /** Waits until the page's script returns true. */
  private static void awaitScript(Browser browser, String js) throws Exception {
    long end = System.currentTimeMillis() + 30_000;
    while (!Boolean.TRUE.equals(browser.script(js))) {
      if (System.currentTimeMillis() > end) throw new AssertionError("the page never got to: " + js);
      Thread.sleep(100);
    }
  }

  /** Waits for the search's page and its histogram. */
  private static void awaitSearched(Browser browser) throws Exception {
    awaitScript(browser, "return !document.querySelector('#search-error').hidden"
        + " || document.querySelector('#search-state').textContent.includes('shown')"
        + " && document.querySelector('#histogram-svg').dataset.lines !== undefined;");
    String error = String.valueOf(browser.script("return document.querySelector('#search-error').textContent;"));
    assertEquals("", error, "the search failed");
  }

  /** Each row of the search view: its key (container id / seq), container name and text. */
  private static List<JsonArray> searchRows(Browser browser) throws Exception {
    JsonArray rows = (JsonArray) browser.script("return [...document.querySelectorAll('#search-lines .line')]"
        + ".map(e => [e.dataset.key, e.dataset.container, e.querySelector('.text').textContent]);");
    return rows.stream().map(r -> (JsonArray) r).toList();
  }

  /** The histogram's bars: lines per step start (epoch nanoseconds), stacked parts added. */
  private static Map<Long, Long> bars(Browser browser) throws Exception {
    Map<Long, Long> drawn = new TreeMap<>();
    for (JsonArray b : rawBars(browser)) drawn.merge(nanos(b.getString(0)), b.getLong(1), Long::sum);
    return drawn;
  }

  /** Each bar (or part of a stacked bar) as drawn: its step's start as the stats wrote it, and its lines. */
  private static List<JsonArray> rawBars(Browser browser) throws Exception {
    JsonArray bars = (JsonArray) browser.script("return [...document.querySelectorAll('#histogram-svg rect.bar')]"
        + ".map(r => [r.dataset.time, Number(r.dataset.lines)]);");
    return bars.stream().map(b -> (JsonArray) b).toList();
  }
}
