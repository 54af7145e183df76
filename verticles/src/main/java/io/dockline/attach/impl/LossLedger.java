package io.dockline.attach.impl;

import io.dockline.wire.Losses;
import io.dockline.wire.Losses.Reason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Per container, the lines the agent lost and why ({@link Losses}), so that no loss is silent: counted where
 * the agent discards lines, noted where it knows lines went unread without knowing how many.
 *
 * <p>It also knows when the agent last ran on this data dir: {@code agent/last-run} says {@code running}
 * (renewed every {@link #RENEW_MS} ms, so after a kill -9 it tells when the agent died, to within that) or
 * {@code stopped} at a clean stop, with the time. A container found running at start that ran while no
 * agent did is noted: one an earlier run read, or one started since that run ended.
 *
 * <p>Contract: used on the agent's context. Kept under {@code <data-dir>/agent/losses/}, a JSON file per
 * container that lost lines (version {@link Losses#VERSION}), written at most a second after a change and at
 * {@link #close}: a kill -9 can forget the last second's counts (the crash itself is noted at the next start,
 * for every container found running). Files are kept after their container is removed (its stored lines stay
 * readable); beyond {@link #MAX_CONTAINERS} the oldest are deleted at start.
 */
public final class LossLedger {
  private static final Logger LOG = Logger.getLogger(LossLedger.class.getName());
  static final int MAX_CONTAINERS = 10_000;
  private static final long SAVE_AFTER_MS = 1_000;
  static final long RENEW_MS = 5_000;
  private static final int LAST_RUN_VERSION = 1;

  /** One reason's tally: lines (counted reasons only), times, the last time (ms since the epoch). */
  private static final class Tally {
    long lines;
    long times;
    long lastAtMs;
  }

  private final Vertx vertx;
  private final Spool files;
  private final Path dir;
  private final Path lastRun;
  private final boolean lastRunCrashed;
  /** When the earlier run ended (ns since the epoch); 0 when there was none. */
  private final long lastRunEndedNanos;
  private final long runStartedNanos = LateAttach.nowNanos();
  private final Map<String, Map<Reason, Tally>> ledgers;
  private final Set<String> unsaved = new HashSet<>();
  private boolean saveScheduled;
  /** Set on the agent's context, read on the spool's thread. */
  private volatile boolean closed;
  private long renewal = -1;

  private LossLedger(Vertx vertx, Spool files, AgentDirs dirs, JsonObject lastRun,
                     Map<String, Map<Reason, Tally>> loaded) {
    this.vertx = vertx;
    this.files = files;
    this.dir = dirs.losses();
    this.lastRun = dirs.lastRun();
    this.lastRunCrashed = "running".equals(lastRun.getString("state"));
    this.lastRunEndedNanos = lastRun.getLong("at", 0L);
    this.ledgers = loaded;
  }

  /**
   * Loads the ledgers an earlier run left and what that run's {@code last-run} says, then marks this run
   * running (renewed while it runs). File work runs on the spool's thread.
   */
  public static Future<LossLedger> open(Vertx vertx, Spool spool, AgentDirs dirs) {
    return spool.run(() -> {
      JsonObject last = readLastRun(dirs.lastRun());
      Files.createDirectories(dirs.losses());
      LossLedger ledger = new LossLedger(vertx, spool, dirs, last, load(dirs.losses()));
      ledger.writeLastRun("running");
      return ledger;
    }).onSuccess(ledger -> ledger.renewal = vertx.setPeriodic(RENEW_MS, t -> spool.run(() -> {
      if (!ledger.closed) ledger.writeLastRun("running");
      return null;
    })));
  }

  private static JsonObject readLastRun(Path file) throws IOException {
    if (!Files.exists(file)) return new JsonObject();
    try {
      return new JsonObject(Files.readString(file));
    } catch (RuntimeException e) {
      LOG.warning("unreadable " + file + ": taken as a crashed run (" + e.getMessage() + ")");
      return new JsonObject().put("state", "running").put("at", 0L);
    }
  }

  private void writeLastRun(String state) throws IOException {
    Path tmp = lastRun.resolveSibling(lastRun.getFileName() + ".tmp");
    Files.writeString(tmp, new JsonObject().put("v", LAST_RUN_VERSION).put("state", state)
        .put("at", LateAttach.nowNanos()).encode());
    Files.move(tmp, lastRun, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Whether the agent that ran on this data dir before did not stop cleanly. */
  boolean lastRunCrashed() {
    return lastRunCrashed;
  }

  /** When this run of the agent began (ns since the epoch). */
  long runStartedNanos() {
    return runStartedNanos;
  }

  /** When the agent that ran on this data dir before ended (ns since the epoch; 0: none did). */
  long lastRunEndedNanos() {
    return lastRunEndedNanos;
  }

  /** {@code lines} lines of a container were lost for {@code reason} (0 for a reason that cannot count them). */
  void lost(String containerId, Reason reason, long lines) {
    Tally t = ledgers.computeIfAbsent(containerId, k -> new EnumMap<>(Reason.class))
        .computeIfAbsent(reason, k -> new Tally());
    t.lines += reason.counted ? lines : 0;
    t.times++;
    t.lastAtMs = System.currentTimeMillis();
    unsaved.add(containerId);
    if (!saveScheduled) {
      saveScheduled = true;
      vertx.setTimer(SAVE_AFTER_MS, x -> save());
    }
  }

  /** Answers {@link Losses#request}s on {@code address} with the container's ledger (empty when it lost nothing). */
  public void answerOn(String address) {
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      String id = m.body() == null ? null : m.body().getString("containerId");
      if (id == null) m.fail(Losses.BAD_REQUEST, "'containerId' is required");
      else m.reply(toJson(id, ledgers.getOrDefault(id, Map.of())));
    });
  }

  private static JsonObject toJson(String id, Map<Reason, Tally> ledger) {
    JsonArray reasons = new JsonArray();
    long lines = 0;
    long uncounted = 0;
    for (Map.Entry<Reason, Tally> e : ledger.entrySet()) {
      Reason r = e.getKey();
      Tally t = e.getValue();
      JsonObject o = new JsonObject().put("reason", r.wireName).put("why", r.why);
      if (r.counted) {
        o.put("lines", t.lines);
        lines += t.lines;
      } else {
        uncounted += t.times;
      }
      reasons.add(o.put("times", t.times).put("lastAt", Instant.ofEpochMilli(t.lastAtMs).toString()));
    }
    return new JsonObject().put("v", Losses.VERSION).put("containerId", id).put("lines", lines)
        .put("uncounted", uncounted).put("reasons", reasons);
  }

  private Future<Void> save() {
    saveScheduled = false;
    Map<String, JsonObject> changed = new HashMap<>();
    for (String id : unsaved) changed.put(id, toJson(id, ledgers.get(id)));
    unsaved.clear();
    if (changed.isEmpty()) return Future.succeededFuture();
    return files.run(() -> {
      for (Map.Entry<String, JsonObject> e : changed.entrySet()) write(e.getKey(), e.getValue());
      return null;
    }).onFailure(e -> LOG.warning("saving the loss ledger failed: " + e)).mapEmpty();
  }

  private void write(String containerId, JsonObject ledger) throws IOException {
    Path tmp = dir.resolve(containerId + ".tmp");
    Files.writeString(tmp, ledger.encode());
    Files.move(tmp, dir.resolve(containerId), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Saves what is not saved yet and marks this run stopped cleanly. */
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(renewal);
    return save().otherwiseEmpty().compose(v -> files.run(() -> {
      writeLastRun("stopped");
      return null;
    }));
  }

  private static Map<String, Map<Reason, Tally>> load(Path dir) throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(dir)) {
      for (Path f : all) {
        if (f.getFileName().toString().endsWith(".tmp")) Files.deleteIfExists(f);
        else found.add(f);
      }
    }
    if (found.size() > MAX_CONTAINERS) {
      found.sort(Comparator.comparing(LossLedger::modified));
      for (Path old : found.subList(0, found.size() - MAX_CONTAINERS)) Files.deleteIfExists(old);
      found = new ArrayList<>(found.subList(found.size() - MAX_CONTAINERS, found.size()));
    }
    Map<String, Map<Reason, Tally>> out = new HashMap<>();
    for (Path f : found) {
      try {
        out.put(f.getFileName().toString(), parse(new JsonObject(Files.readString(f))));
      } catch (RuntimeException e) {
        LOG.warning("unreadable loss ledger " + f + " skipped: " + e.getMessage());
      }
    }
    return out;
  }

  private static Map<Reason, Tally> parse(JsonObject json) {
    Map<Reason, Tally> ledger = new EnumMap<>(Reason.class);
    for (Object o : json.getJsonArray("reasons", new JsonArray())) {
      JsonObject r = (JsonObject) o;
      Reason reason = Reason.of(r.getString("reason"));
      if (reason == null) continue; // a reason of a later version
      Tally t = new Tally();
      t.lines = r.getLong("lines", 0L);
      t.times = r.getLong("times", 0L);
      t.lastAtMs = Instant.parse(r.getString("lastAt")).toEpochMilli();
      ledger.put(reason, t);
    }
    return ledger;
  }

  private static java.nio.file.attribute.FileTime modified(Path f) {
    try {
      return Files.getLastModifiedTime(f);
    } catch (IOException e) {
      return java.nio.file.attribute.FileTime.fromMillis(0);
    }
  }
}
