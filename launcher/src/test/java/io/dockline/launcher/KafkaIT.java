package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hand-off to Kafka against a real KRaft broker (its own process) and a multi-process cluster with real
 * containers: a read_committed consumer sees every line exactly once, in seq order per container, while the broker
 * is killed with {@code kill -9} and restarted, a collector is killed mid-publish and restarted, another collector
 * joins mid-stream; and when Kafka is away as the cluster starts, the collectors keep storing and the lag drains
 * to 0 once it comes. At least once ({@code kafka-exactly-once=false}): no line lost across a kill.
 */
class KafkaIT {
  private static final String TOPIC = "dockline.lines";
  private final String run = "kf" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
  private KafkaBroker broker;
  private Path work;
  /** Settings every collector gets besides the bootstrap. */
  private List<String> collectorSettings = List.of();

  @AfterEach
  void stopAll() throws Exception {
    for (NodeProcess p : nodes.values()) p.close();
    if (broker != null) broker.close();
    Docker.removeTestContainers();
  }

  private void cluster(String bootstrap, String... collectors) throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-kafka-it");
    nodes.put("agent", new NodeProcess("agent", work, "--roles", "agent,router,gateway", "--include-names", run + "-.*"));
    for (String c : List.of("c1", "c2", "c3")) {
      List<String> args = new ArrayList<>(List.of("--roles", "collector,gateway", "--kafka-bootstrap", bootstrap));
      args.addAll(collectorSettings);
      nodes.put(c, new NodeProcess(c, work, args.toArray(new String[0])));
    }
    NodeProcess.cluster("it-kafka-" + run, nodes.values());
    for (String n : nodes.keySet()) if (n.equals("agent") || List.of(collectors).contains(n)) nodes.get(n).start();
    gateway().awaitHealth(200, 240_000);
    Deadlines.await(() -> gateway().metric("dockline_ring_collectors") == collectors.length, 90_000,
        "a ring of " + collectors.length + " collectors");
  }

  private NodeProcess gateway() {
    return nodes.get("agent");
  }

  /** Containers that write {@code lines} numbered lines ("1" to lines), in rounds of 1,000 with a pause between. */
  private List<String> writers(int count, int lines, double pause) throws Exception {
    return writers(count, lines, pause, "w");
  }

  private List<String> writers(int count, int lines, double pause, String prefix) throws Exception {
    String script = "i=0; while [ $i -lt " + lines + " ]; do seq $((i+1)) $((i+1000)); i=$((i+1000)); sleep " + pause
        + "; done";
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(Docker.run("create", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
          "--name", run + "-" + prefix + i, Docker.IMAGE, "sh", "-c", script));
    }
    gateway().startWhenAttached(ids.toArray(new String[0]));
    return ids;
  }

  /** The metric summed over the running ones of these nodes; NaN (no comparison holds) while one does not answer. */
  private double sum(String metric, String... of) {
    double total = 0;
    for (String n : of) {
      if (!nodes.get(n).isAlive()) continue;
      try {
        total += nodes.get(n).metric(metric);
      } catch (Exception | AssertionError e) {
        return Double.NaN;
      }
    }
    return total;
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void everyLineOnceInOrderThroughBrokerAndCollectorKillsAndAJoin() throws Exception {
    broker = KafkaBroker.start(Files.createTempDirectory("dockline-kafka-broker"));
    cluster(broker.bootstrap(), "c1", "c2");
    int lines = 100_000;
    // about a minute of writing: the collector that joins takes streams over while they are written
    List<String> ids = writers(3, lines, 0.6);

    Deadlines.await(() -> sum("dockline_kafka_lines_published_total", "c1", "c2") > 10_000, 120_000,
        "publishing has begun");
    broker.kill9();
    Thread.sleep(3_000);
    broker.restart();
    double before = sum("dockline_kafka_lines_published_total", "c1", "c2");
    Deadlines.await(() -> sum("dockline_kafka_lines_published_total", "c1", "c2") > before + 10_000, 180_000,
        "publishing resumed after the broker's restart");

    nodes.get("c1").kill9();
    Thread.sleep(2_000);
    nodes.get("c1").start();
    nodes.get("c3").start(); // joins mid-stream
    Deadlines.await(() -> gateway().metric("dockline_ring_collectors") == 3, 120_000, "a ring of 3 collectors");

    for (String id : ids) Docker.waitExited(id, 300_000);
    for (String id : ids) gateway().awaitStored(id, lines, 180_000);
    Deadlines.await(() -> nodes.get("c1").isAlive() && sum("dockline_kafka_lag_lines", "c1", "c2", "c3") == 0, 300_000,
        "the collectors' Kafka lag drained to 0");

    Map<String, List<ConsumerRecord<String, String>>> byContainer = readAll(ids, lines);
    for (String id : ids) assertOnceInOrder(id, byContainer.get(id), lines);
    assertTrue(sum("dockline_kafka_claims_total", "c3") >= 1, "the collector that joined took a stream over mid-stream");
  }

  /**
   * Kafka away as the cluster starts: collectors store, the lag counts it, and it drains once Kafka comes. Then,
   * with one collector left (it owns every stream), that collector is killed with {@code kill -9} while it
   * publishes a new container's lines and started again: it resumes from exactly what Kafka committed.
   */
  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void kafkaAwayAtStartThenTheLagDrainsAndARestartedOwnerResumesExactly() throws Exception {
    broker = KafkaBroker.start(Files.createTempDirectory("dockline-kafka-broker"));
    broker.stop(); // its ports are known; nothing listens there until it is started again
    cluster(broker.bootstrap(), "c1", "c2");
    int lines = 20_000;
    List<String> ids = writers(2, lines, 0.05);
    for (String id : ids) Docker.waitExited(id, 180_000);
    for (String id : ids) gateway().awaitStored(id, lines, 120_000);
    Deadlines.await(() -> sum("dockline_kafka_lag_lines", "c1", "c2") >= lines * ids.size(), 60_000,
        "the lag counts every stored line while Kafka is away");
    JsonObject health = new JsonObject(nodes.get("c1").get("/health").body());
    assertEquals(false, health.getJsonObject("kafka").getBoolean("connected"), health.encode());

    broker.restart();
    Deadlines.await(() -> sum("dockline_kafka_lag_lines", "c1", "c2") == 0, 180_000, "the lag drained to 0");
    Map<String, List<ConsumerRecord<String, String>>> byContainer = readAll(ids, lines);
    for (String id : ids) assertOnceInOrder(id, byContainer.get(id), lines);
    health = new JsonObject(nodes.get("c1").get("/health").body());
    assertEquals(true, health.getJsonObject("kafka").getBoolean("connected"), health.encode());

    nodes.get("c2").stop();
    Deadlines.await(() -> gateway().metric("dockline_ring_collectors") == 1, 60_000, "c1 alone on the ring");
    int more = 60_000;
    String late = writers(1, more, 0.1, "late").get(0);
    killLoneC1MidPublishThenDrain(late, more, sum("dockline_kafka_lines_published_total", "c1"));
    Map<String, Integer> want = new HashMap<>();
    for (String id : ids) want.put(id, lines);
    want.put(late, more);
    byContainer = readAll(want);
    for (String id : ids) assertOnceInOrder(id, byContainer.get(id), lines);
    assertOnceInOrder(late, byContainer.get(late), more);
  }

  /**
   * With c1 the only collector (it owns every stream): once it has published 5,000 lines more than
   * {@code publishedBefore}, kills it with {@code kill -9} and starts it again, then waits until container
   * {@code id} has written and stored its {@code lines} and the restarted c1's lag has drained to 0.
   */
  private void killLoneC1MidPublishThenDrain(String id, int lines, double publishedBefore) throws Exception {
    Deadlines.await(() -> sum("dockline_kafka_lines_published_total", "c1") > publishedBefore + 5_000, 120_000,
        "c1 publishes the container's lines");
    nodes.get("c1").kill9();
    nodes.get("c1").start();
    nodes.get("c1").awaitHealth(200, 120_000);
    Deadlines.await(() -> gateway().metric("dockline_ring_collectors") == 1, 60_000, "the restarted c1 on the ring");
    Docker.waitExited(id, 300_000);
    gateway().awaitStored(id, lines, 180_000);
    Deadlines.await(() -> nodes.get("c1").isAlive() && sum("dockline_kafka_lag_lines", "c1") == 0
        && sum("dockline_kafka_connected", "c1") == 1, 180_000, "the restarted c1's lag drained to 0");
  }

  /**
   * {@code kafka-exactly-once=false}: an idempotent producer, the progress written once the lines are
   * acknowledged. A collector killed with {@code kill -9} mid-publish and restarted may send lines again, but
   * loses none: every seq is there, and no record runs ahead of the ones before it.
   */
  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void atLeastOnceLosesNoLineWhenTheOwnerIsKilledMidPublish() throws Exception {
    broker = KafkaBroker.start(Files.createTempDirectory("dockline-kafka-broker"));
    collectorSettings = List.of("--kafka-exactly-once", "false");
    cluster(broker.bootstrap(), "c1");
    int lines = 60_000;
    String id = writers(1, lines, 0.05, "alo").get(0);
    killLoneC1MidPublishThenDrain(id, lines, 0);
    // read until the last seq (a count would stop early: lines sent again count twice)
    List<ConsumerRecord<String, String>> records = CommittedReader.readCommitted(broker.bootstrap(), TOPIC,
        got -> got.stream().anyMatch(r -> id.equals(r.key()) && Long.toString(lines).equals(header(r, "seq"))),
        Duration.ofSeconds(60)).stream().filter(r -> id.equals(r.key())).toList();
    assertTrue(!records.isEmpty(), "no record of " + id);
    long highest = 0;
    for (ConsumerRecord<String, String> r : records) {
      long seq = Long.parseLong(header(r, "seq"));
      assertTrue(seq >= 1 && seq <= highest + 1, id + ": seq " + seq + " after " + highest + " (a line skipped)");
      assertEquals(Long.toString(seq), new JsonObject(r.value()).getString("line"), r.value());
      highest = Math.max(highest, seq);
    }
    assertEquals(lines, highest, id + ": the last line in Kafka");
  }

  /** Every committed record of the topic by container, read until each container has {@code lines} (or a minute). */
  private Map<String, List<ConsumerRecord<String, String>>> readAll(List<String> ids, int lines) {
    Map<String, Integer> want = new HashMap<>();
    for (String id : ids) want.put(id, lines);
    return readAll(want);
  }

  /** Every committed record of the topic by container, read until each has the count it is mapped to (or a minute). */
  private Map<String, List<ConsumerRecord<String, String>>> readAll(Map<String, Integer> want) {
    List<ConsumerRecord<String, String>> all = CommittedReader.readCommitted(broker.bootstrap(), TOPIC, got -> {
      Map<String, Integer> n = new HashMap<>();
      for (ConsumerRecord<String, String> r : got) n.merge(r.key(), 1, Integer::sum);
      return want.entrySet().stream().allMatch(e -> n.getOrDefault(e.getKey(), 0) >= e.getValue());
    }, Duration.ofSeconds(60));
    Map<String, List<ConsumerRecord<String, String>>> byContainer = new HashMap<>();
    for (ConsumerRecord<String, String> r : all) byContainer.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
    return byContainer;
  }

  private static void assertOnceInOrder(String id, List<ConsumerRecord<String, String>> records, int lines) {
    assertTrue(records != null, "no record of " + id);
    assertEquals(lines, records.size(), id + ": records in Kafka (duplicates or losses)");
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<String, String> r = records.get(i);
      long seq = Long.parseLong(header(r, "seq"));
      assertEquals(i + 1, seq, id + ": record " + i + " in partition order");
      JsonObject value = new JsonObject(r.value());
      assertEquals(seq, value.getLong("seq"), r.value());
      assertEquals(Long.toString(seq), value.getString("line"), r.value());
      assertEquals(id, value.getString("containerId"), r.value());
    }
  }

  private static String header(ConsumerRecord<String, String> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
