package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A live tail (SSE) opened while one collector holds a container goes on, without a missing or repeated line,
 * when a second collector joins and the container's stream is handed over to it.
 */
class TailHandoverIT {
  /** On a join the lone collector is at twice the mean: about half the streams move to the new one. */
  private static final int CONTAINERS = 10;
  private final String run = "th" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (NodeProcess n : nodes) n.close();
    for (String name : names) Docker.run("rm", "-f", name);
  }

  @Test
  void followContinuesAcrossACollectorHandover() throws Exception {
    Path work = Files.createTempDirectory("dockline-handover-it");
    NodeProcess a = new NodeProcess("ha", work);
    NodeProcess b = new NodeProcess("hb", work, "--roles", "collector");
    String join = "127.0.0.1:" + a.clusterPort + ",127.0.0.1:" + b.clusterPort;
    for (NodeProcess n : List.of(a, b)) {
      n.clusterName = "it-handover-" + run;
      // the default ring: the join moves streams off the one collector above the bound, and a moved stream
      // stays on the new one while its measured rate changes step
      // factor 1: a stream moves to the new collector instead of gaining it as a second replica
      n.addArgs("--join", join, "--replication-factor", "1");
    }
    nodes.add(a.start());
    for (int i = 0; i < CONTAINERS; i++) {
      String name = run + "-" + i;
      names.add(name);
      Docker.runDetached(name, false, "i=0; while true; do i=$((i+1)); printf 'line %06d\\n' $i; sleep 0.05; done");
    }
    a.awaitHealth(200, 120_000);
    Api api = new Api(a, null);
    for (String name : names) api.awaitStored(name, 5, 60_000);

    Map<String, Api.Events> tails = new LinkedHashMap<>();
    Map<String, Long> last = new LinkedHashMap<>();
    Map<String, Long> handedOverAt = new LinkedHashMap<>();
    try {
      for (String name : names) tails.put(name, api.events("/api/containers/" + name + "/logs?follow=true&tail=0", null));
      nodes.add(b.start()); // collector only: no HTTP; it is up when the ring has it

      // wait until some stream moved: its lines are then held by both collectors
      long end = System.currentTimeMillis() + 60_000;
      while (handedOverAt.isEmpty() && System.currentTimeMillis() < end) {
        for (Object o : api.getArray("/api/containers")) {
          JsonObject c = (JsonObject) o;
          JsonArray holders = c.getJsonArray("collectors");
          if (!names.contains(c.getString("name")) || holders.size() < 2) continue;
          for (Object h : holders) {
            JsonObject holder = (JsonObject) h;
            if (holder.getString("node").equals("hb")) continue;
            handedOverAt.put(c.getString("name"), holder.getLong("lastSeq"));
          }
        }
        Thread.sleep(250);
      }
      assertTrue(!handedOverAt.isEmpty(), "no stream moved to the new collector in 60 s\n" + b.log());
      JsonArray members = api.getJson("/api/cluster").getJsonArray("members");
      assertEquals(2, members.size());
      JsonObject collectorOnly = members.getJsonObject(1);
      assertEquals("hb", collectorOnly.getString("node"), members.encode());
      assertEquals(List.of("collector"), new ArrayList<>(collectorOnly.getJsonObject("roles").fieldNames()));
      assertTrue(collectorOnly.getJsonObject("roles").getJsonObject("collector").getBoolean("ready"));

      for (Map.Entry<String, Long> moved : handedOverAt.entrySet()) {
        Api.Events events = tails.get(moved.getKey());
        long prev = -1;
        while (prev < moved.getValue() + 40) {
          JsonObject e = events.next();
          assertEquals("line", e.getString("event"), moved.getKey() + " after " + prev + ": " + e.encode());
          long seq = Long.parseLong(e.getString("id"));
          if (prev >= 0) assertEquals(prev + 1, seq, moved.getKey() + ": no line missing or repeated at the handover");
          prev = seq;
        }
        last.put(moved.getKey(), prev);
      }
    } finally {
      for (Api.Events e : tails.values()) e.close();
    }
    // the lines after the handover went to the new collector
    for (String name : last.keySet()) {
      JsonObject c = api.container(name);
      long newCollectorLast = -1;
      for (Object h : c.getJsonArray("collectors")) {
        JsonObject holder = (JsonObject) h;
        if (holder.getString("node").equals("hb")) newCollectorLast = holder.getLong("lastSeq");
      }
      assertTrue(newCollectorLast >= handedOverAt.get(name) + 20, c.encode());
    }
  }
}
