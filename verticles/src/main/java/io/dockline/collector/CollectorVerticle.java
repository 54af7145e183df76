package io.dockline.collector;

import io.dockline.config.BackgroundThreads;
import io.dockline.config.Meters;
import io.dockline.config.NodeConfig;
import io.dockline.config.NodeStatus;
import io.dockline.wire.Addresses;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.BatchAck;
import io.dockline.wire.LineBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Role collector: stores the batches routed to this member and acknowledges them once durable.
 *
 * <p>Every change to the store runs on one thread; reads of lines run on the worker pool, concurrently. Writes are group-committed: every batch queued while the previous
 * group was being written goes into the next group, which is fsynced once and then acknowledged.
 * The collector announces itself in the cluster registry only once its store is open, and keeps the entry
 * alive with a TTL, so routers never pick a member that is not ready or is gone.
 *
 * <p>Short of disk (a write failed for lack of room, or free space fell below {@code min-free-disk}), it
 * acknowledges nothing of the group that met it, refuses writes with {@link BatchAck#STORE_FULL_FAILURE} (the
 * agents keep the lines and send them again) and leaves the write ring while it keeps serving reads; its
 * {@link Retention} job runs and probes, and it rejoins by itself once a write goes through again. A failed
 * fsync is different: what the page cache holds can no longer be trusted, and the collector stays off the
 * ring until restarted.
 */
public final class CollectorVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(CollectorVerticle.class.getName());
  private static final long REGISTRATION_TTL_MS = 10_000;
  private static final long REGISTRATION_RENEW_MS = 2_000;
  private static final int MAX_READ_LINES = 100_000;
  /**
   * A group starts at most this often. With hundreds of quiet containers each batch would otherwise be a
   * group of its own, with its own fsync; waiting gathers many containers' batches into one group, which the
   * store makes durable with one write-ahead-log fsync. Under heavy load a commit takes longer than this
   * anyway, so nothing waits. The wait is a timer, so queries on the store thread are not held by it.
   */
  private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final NodeConfig config;
  /** Settings read per group or batch, resolved once. */
  private final String nodeName;
  private final boolean fsync;
  private final LogStoreOptions storeOptions;
  private final NodeStatus status;
  private final MeterRegistry registry;
  private final ScheduledExecutorService storeThread;
  /** Fleet searches, one at a time at background priority: a burst of them waits here, ingest does not. */
  private final java.util.concurrent.ExecutorService searchThread;
  /** Searches queued or running; beyond {@link #MAX_QUEUED_SEARCHES} a search is refused ({@link CollectorQuery#BUSY}). */
  private final java.util.concurrent.atomic.AtomicInteger searches = new java.util.concurrent.atomic.AtomicInteger();
  private static final int MAX_QUEUED_SEARCHES = 16;
  private final ConcurrentLinkedQueue<Message<LineBatch>> writes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private LogStore store;
  /** Written by the store thread, read when a write arrives. */
  private volatile long lastCommitStart = System.nanoTime() - COMMIT_INTERVAL_NANOS;
  /** Set on the store thread when an fsync failed: what the store holds in memory can no longer be trusted. */
  private volatile String storeBroken;
  /** Set on the store thread while the disk has no room for writes (why); null while writes go through. */
  private volatile String shortOfDisk;
  private DiskSpace disk;
  private Retention retention;
  /** What the store holds durably, per container, for the publisher; written on the store thread. */
  private final io.dockline.kafka.StoredMarks marks = new io.dockline.kafka.StoredMarks();
  /** The hand-off to Kafka; null when kafka-bootstrap is unset. */
  private io.dockline.kafka.KafkaPublisher publisher;
  private Context ctx;
  private long renewTimer = -1;
  private Counter linesStored;
  private Counter bytesStored;
  private Counter batchesStored;
  private Counter linesBackfilled;
  private Counter duplicates;
  private Counter refusedFull;
  private Counter diskFullTimes;
  private Timer groupCommit;

  public CollectorVerticle(NodeConfig config, NodeStatus status, MeterRegistry registry) {
    this(config, status, registry, new LogStoreOptions());
  }

  /** With store options other than the defaults (tests: a {@link LogStoreOptions.Force} to watch or fail). */
  public CollectorVerticle(NodeConfig config, NodeStatus status, MeterRegistry registry, LogStoreOptions storeOptions) {
    this.storeOptions = storeOptions;
    this.config = config;
    this.nodeName = config.nodeName();
    this.fsync = config.fsync();
    this.status = status;
    this.registry = registry;
    // writing and fsyncing waits while the host's containers need the CPU: the agents hold their lines meanwhile
    this.storeThread = Executors.newSingleThreadScheduledExecutor(
        BackgroundThreads.factory("dockline-collector-store", config.backgroundPriority()));
    // searches and counts across containers yield to the store thread: ingest keeps its share while they run
    this.searchThread = Executors.newSingleThreadExecutor(
        BackgroundThreads.factory("dockline-collector-search", config.backgroundPriority().lowest()));
  }

  @Override
  public Future<?> start() {
    ctx = context;
    String node = config.nodeName();
    linesStored = Meters.counter(registry, node, "dockline.lines.stored", "lines durably stored by this collector");
    bytesStored = Meters.counter(registry, node, "dockline.bytes.stored", "line bytes durably stored by this collector");
    batchesStored = Meters.counter(registry, node, "dockline.batches.stored", "batches stored and acknowledged");
    linesBackfilled = Meters.counter(registry, node, "dockline.lines.backfilled",
        "older lines this collector took from another replica of their stream (it was new to the stream)");
    duplicates = Meters.counter(registry, node, "dockline.duplicates.dropped", "lines received again and dropped");
    refusedFull = Meters.counter(registry, node, "dockline.batches.refused.full",
        "batches refused for lack of disk (the agents send them again)");
    diskFullTimes = Meters.counter(registry, node, "dockline.collector.disk.full",
        "times this collector stopped taking writes for lack of disk");
    groupCommit = Timer.builder("dockline.collector.commit").description("time to write and fsync one group of batches")
        .tag("node", node).serviceLevelObjectives(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2),
            java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(25),
            java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(250),
            java.time.Duration.ofSeconds(1))
        .register(registry);
    status.set(NodeConfig.Role.COLLECTOR, false, "opening store");
    return openStore()
        .compose(v -> listen())
        .compose(v -> register())
        // every collector may become the one that builds the cluster's ring (undeployed with this verticle)
        .compose(v -> vertx.deployVerticle(new io.dockline.routing.RingLeaderVerticle(config)))
        .onSuccess(v -> {
          retention.start();
          if (publisher != null) publisher.start();
        });
  }

  private Future<Void> openStore() {
    return onStoreThread(() -> {
      java.nio.file.Path dir = config.dataDir().resolve("collector");
      store = LogStore.open(dir, storeOptions.segmentBytes(config.segmentBytes()).sealAfter(config.segmentSealAfter())
          .compression(config.compression() ? LogStoreOptions.Compression.ZSTD : LogStoreOptions.Compression.NONE)
          // nothing reads the lines back soon: no compactor, no publisher
          .writeAround(!config.compression() && config.kafkaBootstrap().isEmpty())
          .compactionThreads(BackgroundThreads.factory("dockline-collector-compaction", config.backgroundPriority())));
      disk = new DiskSpace(dir, config.minFreeDisk());
      disk.refresh();
      if (!config.kafkaBootstrap().isEmpty()) {
        publisher = new io.dockline.kafka.KafkaPublisher(config, store, marks, vertx, status, registry);
      }
      retention = new Retention(store, disk, config, registry, storeThread, () -> shortOfDisk != null, this::onDiskRecovered,
          publisher == null ? PublishHold.NONE : publisher);
      return null;
    });
  }

  private Future<Void> listen() {
    consumers.add(vertx.eventBus().<LineBatch>consumer(Addresses.collectorWrite(config.nodeName()), this::onWrite));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.collectorQuery(config.nodeName()), this::onQuery));
    consumers.add(vertx.eventBus().<LineBatch>consumer(Addresses.collectorBackfill(config.nodeName()), this::onBackfill));
    return Future.join(consumers.stream().map(MessageConsumer::completion).collect(java.util.stream.Collectors.toList()))
        .mapEmpty();
  }

  private Future<Void> register() {
    // the cluster member id lets routers drop this entry the moment the member is gone, not at TTL expiry
    String memberId = memberId();
    return announce(memberId).onSuccess(v -> {
      status.set(NodeConfig.Role.COLLECTOR, true, storingDetail());
      renewTimer = vertx.setPeriodic(REGISTRATION_RENEW_MS, t -> announce(memberId)
          .onFailure(e -> LOG.warning("renewing the collector registration failed: " + e.getMessage())));
    });
  }

  /** Writes this collector's registry entry as things are now: writable or short of disk, and its disk use. */
  private Future<Void> announce(String memberId) {
    JsonObject entry = CollectorRegistry.entry(config.nodeName(), memberId, shortOfDisk == null, retention.diskJson(shortOfDisk));
    return registryMap().compose(m -> m.put(config.nodeName(), entry, REGISTRATION_TTL_MS));
  }

  private String storingDetail() {
    return "storing under " + config.dataDir().resolve("collector");
  }

  private String memberId() {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    return cm == null ? null : cm.getNodeId();
  }

  /**
   * Store thread: the disk has no room. Writes are refused from now on, retention runs at once, and the
   * routers are told (the entry says not write-ready) so they send this collector's streams elsewhere.
   */
  private void onDiskShort(String why) {
    if (shortOfDisk != null) return;
    shortOfDisk = why;
    diskFullTimes.increment();
    LOG.warning("short of disk (" + why + "): taking no writes, serving reads; retention runs, and writes resume "
        + "by themselves once a write goes through");
    retention.runSoon();
    ctx.runOnContext(v -> {
      if (storeBroken != null) return;
      status.set(NodeConfig.Role.COLLECTOR, false, "short of disk: serving reads, taking no writes (" + why + ")");
      status.shortOfDisk(NodeConfig.Role.COLLECTOR, why);
      announce(memberId()).onFailure(e -> LOG.warning("announcing the lack of disk failed: " + e.getMessage()));
    });
  }

  /** Store thread: the probe wrote and forced a file and free space is above min-free-disk again. */
  private void onDiskRecovered() {
    if (shortOfDisk == null) return;
    shortOfDisk = null;
    LOG.info("disk has room again: taking writes");
    ctx.runOnContext(v -> {
      if (storeBroken != null) return;
      status.set(NodeConfig.Role.COLLECTOR, true, storingDetail());
      status.shortOfDisk(NodeConfig.Role.COLLECTOR, null);
      announce(memberId()).onFailure(e -> LOG.warning("announcing the collector failed: " + e.getMessage()));
    });
  }

  private Future<AsyncMap<String, JsonObject>> registryMap() {
    return vertx.sharedData().getAsyncMap(Addresses.COLLECTOR_REGISTRY_MAP);
  }

  private void onWrite(Message<LineBatch> msg) {
    writes.add(msg);
    if (drainScheduled.compareAndSet(false, true)) {
      // the group waits on a timer, not on the store thread: queries run meanwhile
      long wait = lastCommitStart + COMMIT_INTERVAL_NANOS - System.nanoTime();
      storeThread.schedule(this::writeGroup, Math.max(0, wait), TimeUnit.NANOSECONDS);
    }
  }

  /** Store thread: appends every batch queued by now, fsyncs once, then acknowledges the group. */
  private void writeGroup() {
    long started = System.nanoTime();
    lastCommitStart = started; // before a write arriving now schedules the next group from it
    drainScheduled.set(false);
    List<Runnable> replies = new ArrayList<>(); // to the batches of the group, once it is durable
    List<Runnable> refusals = new ArrayList<>(); // to batches not taken into the group
    List<Message<LineBatch>> group = new ArrayList<>();
    List<Runnable> marked = new ArrayList<>(); // what the group made durable, noted once it is
    long lines = 0;
    long bytes = 0;
    int batches = 0;
    int dups = 0;
    if (shortOfDisk == null) {
      disk.refreshIfDue();
      String below = disk.belowMinimum();
      if (below != null) onDiskShort(below);
    }
    boolean full = false;
    Message<LineBatch> msg;
    while ((msg = writes.poll()) != null) {
      Message<LineBatch> m = msg;
      if (storeBroken != null) {
        refusals.add(() -> m.fail(500, storeBroken));
        continue;
      }
      if (shortOfDisk != null || full) {
        refusedFull.increment();
        refusals.add(() -> m.fail(BatchAck.STORE_FULL_FAILURE, "collector short of disk: " + shortOfDisk));
        continue;
      }
      group.add(m);
      LineBatch batch = m.body();
      try {
        AppendResult r = store.append(batch, storedThrough(m));
        lines += r.written();
        dups += r.duplicates();
        bytes += batch.dataLength();
        disk.wrote(batch);
        batches++;
        BatchAck ack = new BatchAck(batch.container().id(), r.storedSeq(), r.written(), r.duplicates(), nodeName);
        String place = m.headers().get(BatchAck.REPLICA_HEADER);
        boolean first = place == null || "0".equals(place);
        String id = batch.container().id();
        long storedSeq = r.storedSeq();
        marked.add(() -> marks.stored(id, storedSeq, first));
        replies.add(() -> m.reply(ack));
      } catch (SequenceGapException gap) {
        replies.add(() -> m.fail(BatchAck.GAP_FAILURE, Long.toString(gap.expectedSeq())));
      } catch (StoreFullException e) {
        // the store holds what it held before this batch; the group's earlier batches stay appended, unacknowledged
        full = true;
        onDiskShort("a write failed: " + e.getMessage());
      } catch (Exception e) {
        LOG.severe("storing " + batch + " failed: " + e);
        replies.add(() -> m.fail(500, "store failed: " + e.getMessage()));
      }
    }
    if (full) {
      // nothing of a group that met a full disk is acknowledged: the agents send it all again, and what this
      // store took of it already is then a duplicate, acknowledged once synced
      refusedFull.increment(group.size());
      String why = "collector short of disk: " + shortOfDisk;
      ctx.runOnContext(v -> {
        group.forEach(m -> m.fail(BatchAck.STORE_FULL_FAILURE, why));
        refusals.forEach(Runnable::run);
      });
      return;
    }
    try {
      if (fsync && batches > 0) store.sync();
    } catch (Exception e) {
      // nothing of this group is acknowledged: the agents send it again
      // After a failed fsync the kernel may have dropped the dirty pages while the store's lastSeq moved on:
      // acknowledging anything later could cover lines that are not on disk. This collector leaves the ring;
      // the agents resend to the next owner, and a restart recovers what the disk really holds.
      storeBroken = "store sync failed (" + e.getMessage() + "); restart this collector";
      LOG.severe("fsync failed: " + e + "; this collector stops taking lines");
      ctx.runOnContext(v -> {
        group.forEach(m -> m.fail(500, storeBroken));
        refusals.forEach(Runnable::run);
        leaveRing(storeBroken);
      });
      return;
    }
    marked.forEach(Runnable::run);
    groupCommit.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    linesStored.increment(lines);
    bytesStored.increment(bytes);
    batchesStored.increment(batches);
    duplicates.increment(dups);
    ctx.runOnContext(v -> {
      replies.forEach(Runnable::run);
      refusals.forEach(Runnable::run);
    });
  }

  private static long storedThrough(Message<?> msg) {
    String h = msg.headers().get(BatchAck.STORED_THROUGH_HEADER);
    try {
      return h == null ? -1 : Long.parseLong(h);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void leaveRing(String why) {
    status.set(NodeConfig.Role.COLLECTOR, false, why);
    if (renewTimer >= 0) vertx.cancelTimer(renewTimer);
    renewTimer = -1;
    registryMap().compose(m -> m.remove(config.nodeName()))
        .onFailure(e -> LOG.warning("leaving the collector registry failed: " + e.getMessage()));
  }

  /**
   * Older lines copied from another replica, on the store thread (background priority) between groups; durable
   * when answered. Short of disk or broken: refused like a write.
   */
  private void onBackfill(Message<LineBatch> msg) {
    if (storeBroken != null || shortOfDisk != null) {
      msg.fail(storeBroken != null ? CollectorQuery.STORE_FAILED : BatchAck.STORE_FULL_FAILURE,
          storeBroken != null ? storeBroken : "collector short of disk: " + shortOfDisk);
      return;
    }
    onStoreThread(() -> {
      try {
        return store.backfill(msg.body());
      } catch (StoreFullException e) {
        onDiskShort("a backfill failed: " + e.getMessage());
        throw e;
      }
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        linesBackfilled.increment(ar.result());
        msg.reply(new JsonObject().put("written", ar.result()));
      } else {
        msg.fail(ar.cause() instanceof StoreFullException ? BatchAck.STORE_FULL_FAILURE : CollectorQuery.STORE_FAILED,
            String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  private void onQuery(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String op = q.getString(CollectorQuery.OP, "");
    switch (op) {
      case CollectorQuery.LAST_SEQ:
        onStoreThread(() -> lastSeq(q.getString("containerId", "")))
            .onComplete(ar -> reply(msg, ar.succeeded() ? ar.result() : null, ar.cause()));
        break;
      case CollectorQuery.CONTAINERS:
        onStoreThread(this::containers).onComplete(ar -> reply(msg, ar.succeeded() ? ar.result() : null, ar.cause()));
        break;
      case CollectorQuery.LOGS: {
        String id = q.getString("containerId", "");
        long after = q.getLong("after", 0L);
        int limit = Math.max(0, Math.min(MAX_READ_LINES, q.getInteger("limit", 1000)));
        // reads are safe on any thread (LogStore's contract): on the worker pool, concurrently, never queued
        // behind a group commit or each other on the store thread
        String text = q.getString(CollectorQuery.TEXT);
        if (text != null && !text.isEmpty()) {
          TextFilter filter = TextFilter.of(text);
          int scan = Math.max(1, Math.min(CollectorQuery.MAX_SCAN_LINES, q.getInteger(CollectorQuery.SCAN, CollectorQuery.MAX_SCAN_LINES)));
          ctx.executeBlocking(() -> store.search(id, after, filter, limit, scan), false)
              .onComplete(ar -> reply(msg, ar.succeeded() ? ar.result() : null, ar.cause()));
          break;
        }
        ctx.executeBlocking(() -> store.read(id, after, limit), false)
            .onComplete(ar -> reply(msg, ar.succeeded() ? ar.result() : null, ar.cause()));
        break;
      }
      case CollectorQuery.SEARCH:
        search(msg, false);
        break;
      case CollectorQuery.STATS:
        search(msg, true);
        break;
      case CollectorQuery.PURGE:
        onStoreThread(() -> purge(q)).onComplete(ar -> reply(msg, ar.succeeded() ? ar.result() : null, ar.cause()));
        break;
      default:
        msg.fail(CollectorQuery.BAD_REQUEST, "unknown query op '" + op + "'");
    }
  }

  /** A search or a count across containers, queued on the search thread. */
  private void search(Message<JsonObject> msg, boolean count) {
    java.util.concurrent.Callable<Object> work;
    try {
      if (count) {
        FleetStats.Request request = FleetStats.Request.fromJson(msg.body());
        work = () -> FleetStats.run(store, request);
      } else {
        FleetSearch.Request request = FleetSearch.Request.fromJson(msg.body());
        work = () -> FleetSearch.run(store, request);
      }
    } catch (IllegalArgumentException e) {
      msg.fail(CollectorQuery.BAD_REQUEST, e.getMessage());
      return;
    }
    if (searches.incrementAndGet() > MAX_QUEUED_SEARCHES) {
      searches.decrementAndGet();
      msg.fail(CollectorQuery.BUSY, "collector " + config.nodeName() + " has " + MAX_QUEUED_SEARCHES + " searches queued");
      return;
    }
    BackgroundThreads.submit(searchThread, ctx, work).onComplete(ar -> {
      searches.decrementAndGet();
      if (ar.failed() && ar.cause() instanceof IllegalArgumentException) msg.fail(CollectorQuery.BAD_REQUEST, ar.cause().getMessage());
      else reply(msg, ar.succeeded() ? ar.result() : null, ar.cause());
    });
  }

  /** Store thread: the container's last seq, and the runs of seqs it holds (a replica's copier compares them). */
  private JsonObject lastSeq(String containerId) throws java.io.IOException {
    JsonArray ranges = new JsonArray();
    for (long[] run : store.ranges(containerId)) {
      if (ranges.size() == CollectorQuery.MAX_RANGES) break;
      ranges.add(new JsonArray().add(run[0]).add(run[1]));
    }
    return new JsonObject().put("lastSeq", store.lastSeq(containerId)).put("ranges", ranges);
  }

  /** Store thread: deletes a container's lines through a seq, or those stamped before a time. */
  private JsonObject purge(JsonObject q) throws java.io.IOException {
    String id = q.getString("containerId", "");
    Long beforeMillis = q.getLong("beforeMillis");
    long through = beforeMillis != null ? store.seqAt(id, beforeMillis - 1) : q.getLong("throughSeq", 0L);
    long first = through > 0 ? store.purge(id, through) : store.firstSeq(id);
    LOG.info("purged the lines of container " + id + " through seq " + through + "; it now starts at " + first);
    return new JsonObject().put("firstSeq", first).put("deletedThrough", Math.max(0, through));
  }

  private JsonArray containers() {
    JsonArray out = new JsonArray();
    for (ContainerSummary s : store.containers()) {
      out.add(new JsonObject().put("id", s.meta().id()).put("name", s.meta().name()).put("image", s.meta().image())
          .put("host", s.meta().host()).put("labels", new JsonObject(new java.util.HashMap<>(s.meta().labels())))
          .put("firstSeq", s.firstSeq()).put("lastSeq", s.lastSeq()).put("lines", s.lineCount())
          .put("bytes", s.bytes()).put("collector", config.nodeName()));
    }
    return out;
  }

  private static void reply(Message<?> msg, Object result, Throwable failure) {
    if (failure != null) msg.fail(CollectorQuery.STORE_FAILED, String.valueOf(failure.getMessage()));
    else msg.reply(result);
  }

  private <T> Future<T> onStoreThread(java.util.concurrent.Callable<T> work) {
    return BackgroundThreads.submit(storeThread, ctx, work);
  }

  @Override
  public Future<?> stop() {
    status.set(NodeConfig.Role.COLLECTOR, false, "stopped");
    if (renewTimer >= 0) vertx.cancelTimer(renewTimer);
    if (retention != null) retention.stop();
    return registryMap().compose(m -> m.remove(config.nodeName())).otherwiseEmpty()
        .compose(v -> Future.join(consumers.stream().map(MessageConsumer::unregister)
            .collect(java.util.stream.Collectors.toList())).otherwiseEmpty())
        .compose(v -> onStoreThread(() -> {
          if (publisher != null) publisher.stop();
          if (store != null) store.close();
          return null;
        }))
        .eventually(() -> {
          storeThread.shutdown();
          searchThread.shutdownNow();
          return Future.succeededFuture();
        });
  }
}
