package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A search and a count across containers ({@code GET /api/logs}, {@code GET /api/stats}) on a real cluster of three collectors: Compose-labelled
 * replicas of two services spread over the collectors, one replica removed before the query. Paged with small
 * limits and a small scan budget (pages end at either), forwards and newest first, each selector and filter gives exactly the lines a plain filter of every
 * container's own lines gives, in time order (then container id, then seq): none twice, none skipped, however
 * many share a time; the counts per group equal those of the lines a plain filter keeps. The bridge answers
 * the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FleetSearchIT {
  private static final int LINES = 1_500;
  private final String run = "fs" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
  private Api api;
  /** Every stored line of every container, by container id, read per container. */
  private final Map<String, List<JsonObject>> stored = new LinkedHashMap<>();
  private final Map<String, String> serviceOf = new LinkedHashMap<>();
  private String removed;

  @BeforeAll
  void start() throws Exception {
    Docker.removeTestContainers();
    Path work = Files.createTempDirectory("dockline-fleet-search-it");
    for (String n : List.of("c1", "c2", "c3", "agent")) {
      // small segments and a small scan budget: pages end at the budget as well as at the limit
      nodes.put(n, n.startsWith("c") ? new NodeProcess(n, work, "--roles", "collector", "--segment-bytes", "16384")
          : new NodeProcess(n, work, "--roles", "agent,router,gateway", "--search-scan-lines", "500"));
    }
    NodeProcess.cluster("it-fleet-search-" + run, nodes.values());
    for (NodeProcess p : nodes.values()) p.start();
    NodeProcess gateway = nodes.get("agent");
    gateway.awaitHealth(200, 240_000);
    Deadlines.await(() -> gateway.metric("dockline_ring_collectors") == 3, 90_000, "a ring of 3 collectors");
    api = new Api(gateway, null);

    List<String> ids = new ArrayList<>();
    for (String[] replica : new String[][] {{"web", "1"}, {"web", "2"}, {"web", "3"}, {"api", "1"}, {"api", "2"}}) {
      String name = run + "-" + replica[0] + "-" + replica[1];
      // fast lines (many share a time across containers), an ERROR now and then, a burst of equal text
      String script = "i=1; while [ $i -le " + LINES + " ]; do "
          + "if [ $((i % 50)) -eq 0 ]; then echo \"ERROR " + name + " failed $i\"; else echo \"" + name + " n $i\"; fi; "
          + "[ $((i % 500)) -eq 0 ] && sleep 0.3; i=$((i+1)); done";
      String id = Docker.run("create", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
          "--label", "com.docker.compose.project=shop-" + run, "--label", "com.docker.compose.service=" + replica[0],
          "--label", "tier=" + (replica[0].equals("web") ? "front" : "back"),
          "--name", name, Docker.IMAGE, "sh", "-c", script);
      ids.add(id);
      serviceOf.put(id, replica[0]);
    }
    gateway.startWhenAttached(ids.toArray(new String[0]));
    for (String id : ids) Docker.waitExited(id, 60_000);
    for (String id : ids) gateway.awaitStored(id, LINES, 60_000);
    for (String id : ids) stored.put(id, api.lines("/api/containers/" + id + "/logs?limit=100000"));
    Set<String> holders = new HashSet<>();
    for (String id : ids) {
      for (Object h : gateway.container(id).getJsonArray("collectors")) holders.add(((JsonObject) h).getString("node"));
    }
    assertTrue(holders.size() >= 2, "the containers are spread over collectors: " + holders);
    removed = ids.get(1);
    Docker.run("rm", "-f", removed); // a removed container's lines are searched while they are kept
  }

  @AfterAll
  void stop() throws Exception {
    for (NodeProcess p : nodes.values()) p.close();
    Docker.removeTestContainers();
  }

  @Test
  void everySelectorAndFilterPagesThroughExactlyTheMatchingLinesInTimeOrder() throws Exception {
    String project = "shop-" + run;
    List<JsonObject> all = new ArrayList<>();
    stored.values().forEach(all::addAll);
    assertEquals(5 * LINES, all.size());
    Predicate<JsonObject> web = l -> serviceOf.get(l.getString("containerId")).equals("web");
    JsonObject sample = stored.get(removed).get(LINES / 2);
    String since = stored.get(removed).get(LINES / 3).getString("time");
    String until = stored.get(removed).get(LINES * 2 / 3).getString("time");

    check("service=web", web, 97);
    check("service=web&order=desc", web, 250);
    check("project=" + project + "&text=ERROR", l -> l.getString("line").startsWith("ERROR"), 7);
    check("label=tier%3Dback&order=desc&regex=" + enc("n [0-9]*7$"), l -> !web.test(l) && l.getString("line").matches(".* n [0-9]*7"), 13);
    check("project=" + project + "&text=error&ignoreCase=true&order=desc", l -> l.getString("line").startsWith("ERROR"), 11);
    check("container=" + removed + "&container=" + run + "-api-2", l -> l.getString("containerId").equals(removed)
        || l.getString("containerName").equals(run + "-api-2"), 333);
    check("image=" + enc(Docker.IMAGE) + "&name=" + run + "-web&since=" + enc(since) + "&until=" + enc(until), l -> web.test(l)
        && l.getString("time").compareTo(since) >= 0 && l.getString("time").compareTo(until) <= 0, 101);
    check("project=" + project + "&host=agent&stream=stdout", l -> true, 5_000);
    check("project=" + project + "&host=elsewhere", l -> false, 10);

    // the bridge gives the first page as the API does
    JsonObject page = new JsonObject(api.post("/bridge/dockline.api.search",
        new JsonObject().put("service", "web").put("limit", 20).put("project", project).encode()).body());
    List<JsonObject> firstTwenty = expected(l -> web.test(l), false).subList(0, 20);
    assertEquals(firstTwenty, page.getJsonArray("lines").stream().map(o -> (JsonObject) o).toList(), "bridge page");
    assertNotNull(page.getString("cursor"));
    // one line by its text: pages that end at the scan budget, empty but for their cursor, until it is found
    check("container=" + removed + "&text=" + enc(sample.getString("line")), l -> l.equals(sample), 1);

    // counts per service and per minute, made by the collectors, equal the lines a plain filter keeps
    for (String filter : List.of("", "&text=ERROR", "&since=" + enc(since) + "&until=" + enc(until))) {
      JsonObject stats = api.getJson("/api/stats?project=" + project + "&by=service&step=10s" + filter);
      assertEquals("service", stats.getString("by"));
      Map<String, long[]> want = new LinkedHashMap<>();
      for (JsonObject l : expected(l -> (!filter.contains("text") || l.getString("line").contains("ERROR"))
          && (!filter.contains("since") || (l.getString("time").compareTo(since) >= 0 && l.getString("time").compareTo(until) <= 0)), false)) {
        long[] c = want.computeIfAbsent(serviceOf.get(l.getString("containerId")), k -> new long[2]);
        c[0]++;
        c[1] += l.getString("line").getBytes(StandardCharsets.UTF_8).length;
      }
      Map<String, long[]> got = new LinkedHashMap<>();
      for (Object o : stats.getJsonArray("groups")) {
        JsonObject g = (JsonObject) o;
        long bucketLines = 0;
        for (Object b : g.getJsonArray("buckets")) bucketLines += ((JsonObject) b).getLong("lines");
        assertEquals(g.getLong("lines"), bucketLines, "the buckets add up to the group");
        got.put(g.getString("key"), new long[] {g.getLong("lines"), g.getLong("bytes")});
      }
      assertEquals(want.keySet(), got.keySet(), filter);
      for (String k : want.keySet()) {
        assertArrayEquals(want.get(k), got.get(k), "lines and bytes of " + k + filter);
      }
    }
    JsonObject byStream = new JsonObject(api.post("/bridge/dockline.api.stats",
        new JsonObject().put("project", project).put("by", "stream").put("step", "1h").encode()).body());
    assertEquals(5L * LINES, byStream.getJsonArray("groups").getJsonObject(0).getLong("lines"), "every line once, by stream");

    for (String bad : List.of("regex=%28unclosed", "order=sideways", "limit=0", "cursor=garbage", "stream=stdin",
        "since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "label=%3Dnokey")) {
      HttpResponse<String> r = api.get("/api/logs?" + bad);
      assertEquals(400, r.statusCode(), bad + ": " + r.body());
    }
    for (String bad : List.of("by=colour", "step=0s", "step=soon", "by=label:")) {
      HttpResponse<String> r = api.get("/api/stats?" + bad);
      assertEquals(400, r.statusCode(), bad + ": " + r.body());
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Every stored line the filter keeps, in the search's order. */
  private List<JsonObject> expected(Predicate<JsonObject> keep, boolean desc) {
    List<JsonObject> out = new ArrayList<>();
    for (List<JsonObject> lines : stored.values()) for (JsonObject l : lines) if (keep.test(l)) out.add(l);
    Comparator<JsonObject> order = Comparator.<JsonObject, String>comparing(l -> l.getString("time"))
        .thenComparing(l -> l.getString("containerId")).thenComparingLong(l -> l.getLong("seq"));
    out.sort(desc ? order.reversed() : order);
    return out;
  }

  /** Pages through {@code /api/logs?query} {@code limit} lines at a time and compares with {@link #expected}. */
  private void check(String query, Predicate<JsonObject> keep, int limit) throws Exception {
    List<JsonObject> want = expected(keep, query.contains("order=desc"));
    List<JsonObject> got = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; ; pages++) {
      assertTrue(pages <= want.size() / limit + 200, query + ": paging ends");
      HttpResponse<String> r = api.get("/api/logs?" + query + "&limit=" + limit + (cursor == null ? "" : "&cursor=" + enc(cursor)));
      assertEquals(200, r.statusCode(), query + ": " + r.body());
      List<JsonObject> lines = new ArrayList<>();
      for (String l : r.body().split("\n")) if (!l.isEmpty()) lines.add(new JsonObject(l));
      assertTrue(lines.size() <= limit, query + ": a page within its limit");
      got.addAll(lines);
      cursor = r.headers().firstValue("X-Dockline-Cursor").orElse(null);
      if (cursor == null) break;
    }
    assertEquals(want.size(), got.size(), query + ": lines");
    for (int i = 0; i < want.size(); i++) {
      JsonObject w = want.get(i);
      JsonObject g = got.get(i);
      if (!w.getString("containerId").equals(g.getString("containerId")) || !w.getLong("seq").equals(g.getLong("seq"))) {
        fail(query + ": line " + i + " is " + g.encode() + ", expected " + w.encode());
      }
    }
    assertEquals(new JsonArray(want), new JsonArray(got), query + ": the lines as the per-container API gives them");
  }
}
