package io.dockline.kafka;

import io.dockline.collector.CollectorRegistry;
import io.dockline.collector.LogStore;
import io.dockline.collector.PublishHold;
import io.dockline.config.Meters;
import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.gateway.LineJson;
import io.dockline.wire.Addresses;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.LineBatch;
import io.dockline.wire.StreamKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A collector's hand-off to Kafka: publishes every line it stores durably, for the streams it owns, key = container
 * id, value = the line's JSON as the API gives it, headers {@code seq}, {@code time} (epoch ns), {@code host},
 * {@code stream}. Runs on a thread of its own; the collector's store, its files, are the buffer while Kafka is away.
 *
 * <p><b>Exactly once for read_committed consumers.</b> The collector publishes in transactions (transactional id
 * {@link KafkaClients#publisherId}) that carry the lines and, for each stream in them, its new {@link Progress} on
 * the compacted progress topic: what Kafka holds and what it says are committed together, and a publisher that
 * restarts resumes from exactly the committed progress. A stream is published by its <em>owner</em> only, as
 * committed in its progress. A collector takes a stream over (a claim) when it received a newer line of it as the
 * stream's first replica (the stream moved to it), or when the owner has been gone a while; the claim is committed
 * through the owner's own transactional id, after initialising it: that fences the owner (its open transaction
 * ends, its next send fails), the claimer then reads the stream's committed progress, stable, and owns the
 * stream from there. A fenced publisher reads the progress again and publishes only the streams still its own.
 * Claims of a stream nobody owns go through a claim id per bucket of containers, so two claimers never both
 * win. The new owner publishes seq N+1 only after the old one's N is committed, reading lines it does not hold
 * from the collectors that do.
 *
 * <p>With {@code kafka-exactly-once=false} the producer is idempotent, not transactional, the progress is written
 * after the lines are acknowledged, and claims fence nothing: a restart or a move may publish lines again.
 *
 * <p>{@link #releasedThrough} is the retention hold: a line is deleted only once it is committed to Kafka.
 */
public final class KafkaPublisher implements PublishHold {
  private static final Logger LOG = Logger.getLogger(KafkaPublisher.class.getName());
  /** The most lines and value bytes of one transaction. */
  private static final int MAX_TRANSACTION_LINES = 50_000;
  private static final long MAX_TRANSACTION_BYTES = 32L << 20;
  private static final int READ_LINES = 10_000;
  /** A stream whose owner left, or nobody owns, waits this long before another holder claims it. */
  private static final long UNOWNED_CLAIM_MS = 10_000;
  /** Lines no collector holds (deleted, or lost before they were stored) are skipped after this long. */
  private static final long HOLE_SKIP_MS = 30_000;
  private static final long IDLE_WAIT_MS = 20;
  /**
   * Publishing gives way to a burst of ingest: while this collector stores more than this many lines a second,
   * and Kafka lacks fewer than {@link #GIVE_WAY_MAX_LAG_LINES} of its lines, it waits. The broker's work per
   * line (and the publisher's) would otherwise take CPU from storing, and so from the containers on a shared
   * host; the files are the buffer, and the lag is published once the burst is over or the bound is reached.
   */
  static final long GIVE_WAY_ABOVE_LINES_PER_SECOND = 50_000;
  static final long GIVE_WAY_MAX_LAG_LINES = 2_000_000;
  private static final long INGEST_SAMPLE_NANOS = 200_000_000L;
  /** The {@code stream} header's value by {@link StreamKind}, made once rather than per line. */
  private static final byte[][] STREAM_HEADERS = java.util.Arrays.stream(StreamKind.values())
      .map(k -> k.label().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

  private final NodeConfig config;
  private final String me;
  private final LogStore store;
  private final StoredMarks marks;
  private final Vertx vertx;
  private final NodeStatus status;
  private final boolean exactlyOnce;
  private final String topic;
  private final String progressTopic;
  private final Counter published;
  private final Counter transactions;
  private final Counter claims;
  private final Counter fenced;
  private final Counter skipped;
  private final Counter failures;
  private volatile boolean running = true;
  private volatile boolean connected;
  private volatile long lag;
  private volatile String lastError;
  private Thread thread;

  private Admin admin;
  private ProgressTable progress;
  /** The progress retention holds by: the last table read whole, kept while Kafka is away (closed tables stay readable). */
  private volatile ProgressTable holdView;
  private Producer<byte[], byte[]> producer;
  /** The streams this collector owns, with their committed progress. */
  private final Map<String, Progress> owned = new HashMap<>();
  /** Since when a stream nobody claimable owns, or a hole nobody fills, was first seen (ms). */
  private final Map<String, Long> waitingSince = new HashMap<>();
  private Set<String> liveCollectors = Set.of();
  private long collectorsReadAt;
  private long backoffMs = 500;
  /** Renders each line's JSON as the API's NDJSON does, without a JsonObject per line. */
  private final LineJson.NdjsonWriter render = new LineJson.NdjsonWriter();
  private long reportedAt = System.nanoTime() - 1_000_000_000L;
  private long ingestSampledAt = System.nanoTime();
  private long ingestSampledLines;
  private long ingestLinesPerSecond;
  private final Counter gaveWay;

  public KafkaPublisher(NodeConfig config, LogStore store, StoredMarks marks, Vertx vertx, NodeStatus status,
                        MeterRegistry registry) {
    this.config = config;
    this.me = config.nodeName();
    this.store = store;
    this.marks = marks;
    this.vertx = vertx;
    this.status = status;
    this.exactlyOnce = config.kafkaExactlyOnce();
    this.topic = config.kafkaTopic();
    this.progressTopic = topic + ".progress";
    published = Meters.counter(registry, me, "dockline.kafka.lines.published", "lines this collector published to Kafka (committed)");
    transactions = Meters.counter(registry, me, "dockline.kafka.transactions", "Kafka transactions this collector committed");
    claims = Meters.counter(registry, me, "dockline.kafka.claims", "streams this collector took over for publishing");
    fenced = Meters.counter(registry, me, "dockline.kafka.fenced", "times another collector took a stream from this one mid-publish");
    skipped = Meters.counter(registry, me, "dockline.kafka.lines.skipped",
        "lines never published because no collector holds them any more (deleted by the disk budget, or never stored)");
    failures = Meters.counter(registry, me, "dockline.kafka.failures", "publishing rounds that failed (Kafka away, timeouts)");
    gaveWay = Meters.counter(registry, me, "dockline.kafka.gave.way.seconds",
        "seconds publishing waited for a burst of ingest (above 50,000 lines/s, while the lag is under 2,000,000 lines)");
    Gauge.builder("dockline.kafka.lag.lines", () -> lag).tag("node", me)
        .description("lines this collector stores that Kafka does not hold yet, for the streams it publishes").register(registry);
    Gauge.builder("dockline.kafka.connected", () -> connected ? 1 : 0).tag("node", me)
        .description("1 while this collector's publisher is connected to Kafka").register(registry);
  }

  /** Seeds the marks from what the store holds (all durable once it is open) and starts publishing. */
  public void start() {
    for (var c : store.containers()) marks.stored(c.meta().id(), c.lastSeq(), false);
    report();
    // rendering and sending lines yields to the host's containers, as the collector's writes do
    thread = io.dockline.config.BackgroundThreads.factory("dockline-kafka-publisher", config.backgroundPriority())
        .newThread(this::run);
    thread.setDaemon(true);
    thread.start();
  }

  public void stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public long releasedThrough(String containerId) {
    ProgressTable p = holdView;
    return p == null ? 0 : p.committedSeq(containerId);
  }

  private void run() {
    while (running) {
      try {
        if (producer == null) connect();
        progress.poll(Duration.ZERO);
        refreshCollectors();
        if (!isMember()) {
          sleep(1_000);
          continue;
        }
        claimDue();
        if (givingWay()) {
          sleep(IDLE_WAIT_MS);
          gaveWay.increment(IDLE_WAIT_MS / 1000.0);
          continue;
        }
        if (!publishRound()) sleep(IDLE_WAIT_MS);
        backoffMs = 500;
      } catch (ProducerFencedException | InvalidProducerEpochException e) {
        // another collector claimed a stream of ours: its claim goes through first, then we read who owns what
        fenced.increment();
        LOG.info("publisher fenced (a stream moved to another collector): reading the progress again");
        closeProducer();
        sleep(1_000);
      } catch (Exception e) {
        if (!running) break;
        failures.increment();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage()
            + (root == e ? "" : " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")");
        LOG.warning("publishing to Kafka failed (" + lastError + "); retrying in " + backoffMs + " ms");
        closeAll();
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      } finally {
        report();
      }
    }
    closeAll();
  }

  private void connect() throws Exception {
    if (admin == null) {
      admin = Admin.create(KafkaClients.admin(config));
      ensureTopics();
      KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.progressConsumer(config));
      progress = new ProgressTable(consumer, admin, List.of(new TopicPartition(progressTopic, 0)));
    }
    producer = new KafkaProducer<>(KafkaClients.producer(config, exactlyOnce ? KafkaClients.publisherId(config, me) : null));
    // its sender thread compresses and sends what this thread renders: it yields to the host's containers too
    io.dockline.config.BackgroundThreads.lowerThreadsNamed("kafka-producer-", config.backgroundPriority());
    // fences this collector's earlier incarnation: its last transaction ends, so the progress read next is stable
    if (exactlyOnce) producer.initTransactions();
    progress.reload(Duration.ofSeconds(30));
    holdView = progress;
    owned.clear();
    for (String id : progress.ownedBy(me)) owned.put(id, progress.get(id));
    connected = true;
    lastError = null;
    LOG.info("publishing to Kafka topic " + topic + (exactlyOnce ? " (exactly once)" : " (at least once)") + "; owning "
        + owned.size() + " streams");
  }

  private void ensureTopics() throws Exception {
    Set<String> existing = admin.listTopics().names().get(KafkaClients.BLOCK_MS, TimeUnit.MILLISECONDS);
    List<NewTopic> missing = new ArrayList<>();
    if (!existing.contains(topic)) missing.add(new NewTopic(topic, java.util.Optional.empty(), java.util.Optional.empty()));
    if (!existing.contains(progressTopic)) {
      // one partition: every claim and every progress in one order; compacted: one record per container is enough
      missing.add(new NewTopic(progressTopic, java.util.Optional.of(1), java.util.Optional.empty()).configs(Map.of(
          "cleanup.policy", "compact", "segment.ms", "600000", "min.cleanable.dirty.ratio", "0.1")));
    }
    if (missing.isEmpty()) return;
    try {
      admin.createTopics(missing).all().get(KafkaClients.BLOCK_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e; // another collector made it first
    }
  }

  /**
   * Claims the streams this collector should publish and does not own: it received a newer line of the stream
   * as first replica than the owner had, or the stream has no owner still present and this collector holds lines
   * of it Kafka does not.
   */
  private void claimDue() throws Exception {
    long now = System.currentTimeMillis();
    Map<String, List<String>> byVia = new HashMap<>();
    for (String id : marks.containers()) {
      if (forgotten(id) || owned.containsKey(id)) continue;
      Progress p = progress.get(id);
      if (marks.durable(id) <= (p == null ? 0 : p.seq())) {
        waitingSince.remove(id);
        continue;
      }
      if (!claimable(id, p, now)) continue;
      String via = p == null ? KafkaClients.claimId(config, id) : KafkaClients.publisherId(config, p.owner());
      byVia.computeIfAbsent(via, k -> new ArrayList<>()).add(id);
    }
    for (Map.Entry<String, List<String>> e : byVia.entrySet()) claimVia(e.getKey(), e.getValue());
  }

  private boolean claimable(String id, Progress p, long now) {
    long primary = marks.primary(id);
    if (primary > 0 && (p == null || primary > p.primary())) return true;
    boolean ownerGone = p == null || !liveCollectors.contains(p.owner());
    if (!ownerGone) {
      waitingSince.remove(id);
      return false;
    }
    return now - waitingSince.computeIfAbsent(id, k -> now) >= UNOWNED_CLAIM_MS;
  }

  private void claimVia(String via, List<String> streams) throws Exception {
    if (!exactlyOnce) {
      for (String id : streams) take(id, progress.get(id), null);
      producer.flush();
      return;
    }
    try (KafkaProducer<byte[], byte[]> claimer = new KafkaProducer<>(KafkaClients.producer(config, via))) {
      claimer.initTransactions(); // fences the owner (or another claimer): its last transaction ends
      progress.catchUp(Duration.ofSeconds(30));
      claimer.beginTransaction();
      Map<String, Progress> taken = new HashMap<>();
      long now = System.currentTimeMillis();
      for (String id : streams) {
        Progress p = progress.get(id);
        String expected = p == null ? KafkaClients.claimId(config, id) : KafkaClients.publisherId(config, p.owner());
        if (!via.equals(expected) || me.equals(p == null ? null : p.owner()) || !claimable(id, p, now)) continue;
        taken.put(id, take(id, p, claimer));
      }
      claimer.commitTransaction();
      taken.forEach((id, np) -> {
        owned.put(id, np);
        progress.committed(id, np);
        waitingSince.remove(id);
      });
      claims.increment(taken.size());
      if (!taken.isEmpty()) LOG.info("took over publishing of " + taken.size() + " stream(s) " + (via.contains(".claim.")
          ? "nobody owned" : "from " + via.substring(via.lastIndexOf('.') + 1)));
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      LOG.fine(() -> "claim through " + via + " lost to another (retried): " + e.getMessage());
    }
  }

  /** Sends the claim of a stream: its committed seq, this collector as owner, the next epoch. */
  private Progress take(String id, Progress p, Producer<byte[], byte[]> via) {
    Progress np = new Progress(p == null ? 0 : p.seq(), me, p == null ? 1 : p.epoch() + 1, marks.primary(id));
    Producer<byte[], byte[]> out = via == null ? producer : via;
    out.send(new ProducerRecord<>(progressTopic, key(id), np.toBytes()));
    if (via == null) {
      owned.put(id, np);
      progress.committed(id, np);
    }
    return np;
  }

  /**
   * Whether publishing waits now for a burst of ingest ({@link #GIVE_WAY_ABOVE_LINES_PER_SECOND}); the lag is the
   * one {@link #report} keeps (every half second).
   */
  private boolean givingWay() {
    long now = System.nanoTime();
    if (now - ingestSampledAt >= INGEST_SAMPLE_NANOS) {
      long lines = marks.advanced();
      ingestLinesPerSecond = (lines - ingestSampledLines) * 1_000_000_000L / (now - ingestSampledAt);
      ingestSampledLines = lines;
      ingestSampledAt = now;
    }
    return ingestLinesPerSecond > GIVE_WAY_ABOVE_LINES_PER_SECOND && lag < GIVE_WAY_MAX_LAG_LINES;
  }

  /** One transaction of the owned streams' next lines; false when there was nothing to publish. */
  private boolean publishRound() throws Exception {
    List<String> due = new ArrayList<>();
    for (Map.Entry<String, Progress> e : owned.entrySet()) {
      if (marks.durable(e.getKey()) > e.getValue().seq() && !forgotten(e.getKey())) due.add(e.getKey());
    }
    if (due.isEmpty()) return false;
    java.util.Collections.shuffle(due); // no stream waits behind a busy one round after round
    if (exactlyOnce) producer.beginTransaction();
    Map<String, Progress> next = new HashMap<>();
    List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
    int lines = 0;
    long bytes = 0;
    for (String id : due) {
      if (lines >= MAX_TRANSACTION_LINES || bytes >= MAX_TRANSACTION_BYTES) break;
      Progress p = owned.get(id);
      long after = p.seq();
      long upTo = marks.durable(id);
      while (after < upTo && lines < MAX_TRANSACTION_LINES && bytes < MAX_TRANSACTION_BYTES) {
        LineBatch b = linesAfter(id, after);
        if (b == null) break;
        LineJson.Source source = LineJson.Source.of(b);
        byte[] key = key(id);
        String hostName = b.container().host();
        byte[] host = hostName == null ? new byte[0] : hostName.getBytes(StandardCharsets.UTF_8);
        int sent = 0;
        for (int i = 0; i < b.count(); i++) {
          long seq = b.seq(i);
          if (seq <= after) continue;
          if (seq > upTo) break;
          byte[] value = render.json(source, i, seq);
          RecordHeaders headers = new RecordHeaders();
          headers.add("seq", Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
          headers.add("time", Long.toString(b.timeNanos(i)).getBytes(StandardCharsets.US_ASCII));
          headers.add("host", host);
          headers.add("stream", STREAM_HEADERS[b.stream(i).ordinal()]);
          var sending = producer.send(new ProducerRecord<>(topic, null, key, value, headers));
          if (!exactlyOnce) sends.add(sending); // a transaction's commit reports every send's failure itself
          after = seq;
          lines++;
          sent++;
          bytes += value.length;
        }
        if (sent == 0) break;
      }
      if (after > p.seq()) next.put(id, p.publishedThrough(after, marks.primary(id)));
    }
    if (next.isEmpty()) {
      if (exactlyOnce) producer.abortTransaction();
      return false;
    }
    if (!exactlyOnce) {
      producer.flush();
      for (var f : sends) f.get(); // every line acknowledged before its progress is written
    }
    next.forEach((id, np) -> producer.send(new ProducerRecord<>(progressTopic, key(id), np.toBytes())));
    if (exactlyOnce) producer.commitTransaction();
    else producer.flush();
    next.forEach((id, np) -> {
      owned.put(id, np);
      progress.committed(id, np);
    });
    published.increment(lines);
    transactions.increment();
    return true;
  }

  /**
   * The lines after {@code after}, from this collector's store or, where it has a hole there (the stream was
   * stored elsewhere meanwhile), from a collector that holds them; null when none can be read now. A hole no
   * collector fills for {@link #HOLE_SKIP_MS} is skipped, counted.
   */
  private LineBatch linesAfter(String id, long after) throws Exception {
    LineBatch local = store.read(id, after, READ_LINES);
    if (local.count() > 0 && local.seq(0) == after + 1) {
      waitingSince.remove(id);
      return local;
    }
    LineBatch remote = fromOthers(id, after);
    if (remote != null && remote.count() > 0 && remote.seq(0) == after + 1) {
      waitingSince.remove(id);
      return remote;
    }
    if (local.count() == 0 && (remote == null || remote.count() == 0)) return null;
    long now = System.currentTimeMillis();
    long since = waitingSince.computeIfAbsent(id, k -> now);
    if (now - since < HOLE_SKIP_MS) return null;
    LineBatch after1 = local.count() == 0 ? remote : remote == null || remote.count() == 0 ? local
        : local.seq(0) <= remote.seq(0) ? local : remote;
    long lost = after1.seq(0) - after - 1;
    LOG.warning("container " + id + ": seqs " + (after + 1) + "-" + (after1.seq(0) - 1) + " are held by no collector; "
        + lost + " lines skipped in Kafka");
    skipped.increment(lost);
    waitingSince.remove(id);
    return after1;
  }

  /** The first answer of another readable collector that holds lines after {@code after}, or null. */
  private LineBatch fromOthers(String id, long after) {
    LineBatch best = null;
    for (String c : liveCollectors) {
      if (c.equals(me)) continue;
      try {
        Object answer = vertx.eventBus().request(Addresses.collectorQuery(c), CollectorQuery.logs(id, after, READ_LINES))
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
        if (!(answer instanceof LineBatch b) || b.count() == 0) continue;
        if (b.seq(0) == after + 1) return b;
        if (best == null || b.seq(0) < best.seq(0)) best = b;
      } catch (Exception e) {
        LOG.fine(() -> "reading " + id + " from " + c + " failed: " + e.getMessage());
      }
    }
    return best;
  }

  private void refreshCollectors() {
    long now = System.currentTimeMillis();
    if (now - collectorsReadAt < 2_000) return;
    collectorsReadAt = now;
    try {
      Map<String, JsonObject> entries = vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.COLLECTOR_REGISTRY_MAP)
          .compose(m -> m.entries()).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      liveCollectors = CollectorRegistry.readable(vertx, entries);
    } catch (Exception e) {
      LOG.fine(() -> "reading the collector registry failed: " + e.getMessage());
    }
  }

  /** A collector that lost its cluster membership publishes nothing until it is a member again. */
  private boolean isMember() {
    Set<String> members = CollectorRegistry.members(vertx);
    if (members == null) return true;
    var cm = ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
    return members.contains(cm.getNodeId());
  }

  /** A container this store no longer holds (retention removed it whole) leaves the marks: nothing to publish here. */
  private boolean forgotten(String id) {
    if (store.lastSeq(id) > 0) return false;
    marks.forget(id);
    return true;
  }

  private static byte[] key(String containerId) {
    return containerId.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Lines stored here that Kafka does not hold, for the streams this collector owns and those no present collector
   * owns (each holder counts those, so a sum over collectors may count them twice while Kafka is away).
   */
  private long lagNow() {
    ProgressTable known = holdView;
    long behind = 0;
    for (String id : marks.containers()) {
      Progress mine = owned.get(id);
      Progress p = mine != null ? mine : known == null ? null : known.get(id);
      if (mine != null || p == null || !liveCollectors.contains(p.owner())) {
        behind += Math.max(0, marks.durable(id) - (p == null ? 0 : p.seq()));
      }
    }
    return behind;
  }

  private void report() {
    long now = System.nanoTime();
    if (now - reportedAt < 500_000_000L) return;
    reportedAt = now;
    lag = lagNow();
    JsonObject detail = new JsonObject().put("topic", topic).put("connected", connected).put("exactlyOnce", exactlyOnce)
        .put("lagLines", lag).put("streamsOwned", owned.size());
    String err = lastError;
    if (err != null) detail.put("lastError", err);
    status.kafka(detail);
  }

  private void closeProducer() {
    connected = false;
    Producer<byte[], byte[]> p = producer;
    producer = null;
    if (p != null) {
      try {
        p.close(Duration.ZERO);
      } catch (KafkaException e) {
        LOG.fine(() -> "closing the producer: " + e.getMessage());
      }
    }
  }

  private void closeAll() {
    closeProducer();
    if (progress != null) {
      try {
        progress.close();
      } catch (RuntimeException e) {
        LOG.fine(() -> "closing the progress reader: " + e.getMessage());
      }
    }
    if (admin != null) admin.close(Duration.ofSeconds(1));
    admin = null;
    progress = null;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
