package io.dockline.collector;

import io.dockline.config.NodeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * A collector's retention job: applies {@code retention-age}, {@code retention-container-bytes} and
 * {@code retention-disk-bytes} through {@link LogStore#retain}, and while the collector is short of disk probes
 * whether writes go through again.
 *
 * <p>It runs on the store's writer thread (at {@code background-priority}), as one task between two groups of
 * batches: a group waits at most for one retention run, never the other way round. It ticks every second; a
 * retention run is due every {@link #period} (a tenth of the shortest of age and seal time, 1 s to 60 s) and at
 * once, then every tick, while the disk is short.
 */
final class Retention {
  private static final Logger LOG = Logger.getLogger(Retention.class.getName());
  private static final long TICK_MS = 1_000;

  private final LogStore store;
  private final DiskSpace disk;
  private final ScheduledExecutorService storeThread;
  private final BooleanSupplier shortOfDisk;
  private final Runnable onRecovered;
  private final RetentionPolicy policy;
  private final long periodMs;
  private final Counter[] deletedBytes = new Counter[3];
  private final Counter[] deletedSegments = new Counter[3];
  private final Counter unreleasedLines;
  private volatile StoreUsage usage;
  private volatile long nextRunAt;
  private java.util.concurrent.ScheduledFuture<?> ticking;

  Retention(LogStore store, DiskSpace disk, NodeConfig config, MeterRegistry registry,
      ScheduledExecutorService storeThread, BooleanSupplier shortOfDisk, Runnable onRecovered, PublishHold hold) {
    this.store = store;
    this.disk = disk;
    this.storeThread = storeThread;
    this.shortOfDisk = shortOfDisk;
    this.onRecovered = onRecovered;
    Duration age = config.retentionAge();
    this.policy = new RetentionPolicy(age == null ? Duration.ofSeconds(Long.MAX_VALUE) : age,
        config.retentionContainerBytes(), config.retentionDiskBytes(), hold);
    this.periodMs = period(age, config.segmentSealAfter()).toMillis();
    this.usage = store.usage();
    String node = config.nodeName();
    unreleasedLines = io.dockline.config.Meters.counter(registry, node, "dockline.kafka.lines.lost",
        "lines the disk budget deleted before Kafka had them (published never)");
    String[] reasons = {"age", "container", "disk"};
    for (int i = 0; i < reasons.length; i++) {
      deletedBytes[i] = Counter.builder("dockline.retention.deleted.bytes").tag("node", node).tag("reason", reasons[i])
          .description("bytes on disk retention deleted, by reason: age, container cap, disk budget").register(registry);
      deletedSegments[i] = Counter.builder("dockline.retention.deleted.segments").tag("node", node)
          .tag("reason", reasons[i]).description("segments retention deleted, by reason").register(registry);
    }
    Gauge.builder("dockline.store.disk.bytes", () -> usage.diskBytes()).tag("node", node)
        .description("bytes of the collector's store on disk (segments and write-ahead log)").register(registry);
    Gauge.builder("dockline.store.raw.bytes", () -> usage.rawBytes()).tag("node", node)
        .description("bytes of line text the collector holds, before framing and compression").register(registry);
    Gauge.builder("dockline.store.compression.ratio", () -> usage.ratio()).tag("node", node)
        .description("bytes on disk per raw byte held (0 when nothing is held)").register(registry);
    Gauge.builder("dockline.store.segments", () -> usage.segments()).tag("node", node)
        .description("segment files the collector holds").register(registry);
    Gauge.builder("dockline.store.open.segments", () -> usage.openSegments()).tag("node", node)
        .description("segment files the collector holds open (containers that wrote lately)").register(registry);
    Gauge.builder("dockline.disk.free.bytes", disk::freeBytes).tag("node", node)
        .description("free bytes on the collector's file system (as an unprivileged process may use)").register(registry);
  }

  /** How often retention runs: a tenth of the shortest of age and seal time, so a line goes at most ~10 % late. */
  static Duration period(Duration age, Duration sealAfter) {
    Duration shortest = age == null || sealAfter.compareTo(age) < 0 ? sealAfter : age;
    long ms = shortest.toMillis() / 10;
    return Duration.ofMillis(Math.max(1_000, Math.min(60_000, ms)));
  }

  void start() {
    nextRunAt = System.currentTimeMillis() + periodMs;
    ticking = storeThread.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (ticking != null) ticking.cancel(false);
  }

  /** Makes a retention run due at the next tick (the disk just ran short). */
  void runSoon() {
    nextRunAt = 0;
  }

  /** Store thread. */
  private void tick() {
    long now = System.currentTimeMillis();
    boolean isShort = shortOfDisk.getAsBoolean();
    try {
      if (isShort || now >= nextRunAt) {
        nextRunAt = now + periodMs;
        count(store.retain(policy, now));
      }
      usage = store.usage();
      disk.refresh();
      if (isShort && disk.belowMinimum() == null && disk.probe()) onRecovered.run();
    } catch (Exception e) {
      LOG.warning("retention failed: " + e + "; it runs again in " + periodMs + " ms");
    } catch (Error e) {
      LOG.severe("retention failed: " + e);
      throw e;
    }
  }

  private void count(RetentionReport r) {
    if (r.unreleasedLines() > 0) {
      unreleasedLines.increment(r.unreleasedLines());
      LOG.warning("retention-disk-bytes deleted " + r.unreleasedLines() + " lines not yet published to Kafka:"
          + " they are lost to Kafka (the disk budget is smaller than what Kafka's absence left to hold)");
    }
    deletedBytes[0].increment(r.ageBytes());
    deletedSegments[0].increment(r.ageSegments());
    deletedBytes[1].increment(r.containerCapBytes());
    deletedSegments[1].increment(r.containerCapSegments());
    deletedBytes[2].increment(r.diskBudgetBytes());
    deletedSegments[2].increment(r.diskBudgetSegments());
    if (r.deletedSegments() > 0) {
      LOG.info("retention deleted " + r.deletedSegments() + " segments (" + r.deletedBytes() + " bytes); containers "
          + "now wholly gone: " + r.goneContainers());
    }
  }

  /** This collector's disk use for its registry entry ({@code /api/ring}); {@code shortOfDisk} why, or null. */
  JsonObject diskJson(String shortOfDisk) {
    StoreUsage u = usage;
    JsonObject d = new JsonObject().put("storedBytes", u.diskBytes()).put("rawBytes", u.rawBytes())
        .put("ratio", u.ratio()).put("segments", u.segments()).put("freeBytes", disk.freeBytes())
        .put("totalBytes", disk.totalBytes());
    return shortOfDisk == null ? d : d.put("shortOfDisk", shortOfDisk);
  }
}
