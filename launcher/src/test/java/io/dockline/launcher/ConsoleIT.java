package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The web console in headless Chromium (Debian's package, driven over WebDriver): a node and a container,
 * the console opened, the container clicked, and its new lines must show up in the live view.
 */
class ConsoleIT {
  private final String run = "co" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private NodeProcess node;

  @AfterEach
  void cleanUp() throws Exception {
    if (node != null) node.close();
    Docker.run("rm", "-f", run + "-web", run + "-worker");
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
}
