package io.dockline.routing;

import io.dockline.routing.impl.CatchUpPlan;
import io.dockline.routing.impl.MissingLines;
import io.dockline.wire.Addresses;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.LineBatch;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Brings a replica new to a stream up to date: a collector that joined a stream's replica set holds its lines
 * from the first batch routed to it on; the lines it lacks are copied to it from another replica of the set,
 * page by page, one page in flight per copy. The collector stores them
 * below what it holds ({@code LogStore#backfill}) on its store thread, at {@code background-priority}.
 *
 * <p>A check asks every replica of each stream this router checks for the runs of seqs it holds, after every
 * ring change, after every copy and every 10 s, and decides by {@link CatchUpPlan}: what a replica lacks below
 * its own last seq is backfilled; a replica that holds nothing gets the lines as ordinary writes; lines above a
 * replica's last seq are left to the writes while the stream writes, and copied as writes once it stopped; the
 * first check of a new set does not call the stream whole, and the next comes 2 s later. A stream is counted
 * lacking from the check that finds it until a check finds it whole. A copy that failed (a replica left, an
 * older collector without the backfill address) is tried again at the next check. Event-loop confined.
 */
final class ReplicaCatchUp {
  private static final Logger LOG = Logger.getLogger(ReplicaCatchUp.class.getName());
  /** Lines asked of the source at once (a page is also bounded in bytes by the source). */
  private static final int PAGE_LINES = 5_000;
  private static final int MAX_COPIES = 2;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(30_000);
  /** A check's question: a replica that does not answer within this is not known to hold the lines. */
  private static final DeliveryOptions CHECK = new DeliveryOptions().setSendTimeout(5_000);
  /** A stream not known whole at a check is checked again this soon. */
  private static final long RECHECK_MS = 2_000;

  private final Vertx vertx;
  private final Counter bytesCopied;
  /** Stream id to the lines its copies still have to bring, for the ones running. */
  private final Map<String, Long> copying = new HashMap<>();
  /** Streams whose replicas were found lacking lines at the last check (copying or waiting to). */
  private Set<String> lacking = Set.of();
  /** The replica sets the last finished check saw: a stream whose set changed since is not known whole. */
  private Map<String, List<String>> checked = Map.of();
  /** The highest seq of each stream at the last finished check: one that did not move writes no more. */
  private Map<String, Long> highest = Map.of();
  private boolean recheckSet;
  private boolean sweeping;
  private boolean sweepAgain;
  /** The replica sets as they are now: stream id to its set. */
  private Supplier<Map<String, List<String>>> replicasOf = Map::of;
  /** Told after every sweep, on the event loop (the under-replicated count follows it). */
  private final Runnable onSweep;
  /** Lines still to copy by the copies running, for the gauge (read off the event loop). */
  private volatile long lag;

  ReplicaCatchUp(Vertx vertx, Counter bytesCopied, Runnable onSweep) {
    this.vertx = vertx;
    this.bytesCopied = bytesCopied;
    this.onSweep = onSweep;
  }

  /**
   * Whether some replica of the stream ({@code replicas}: its set now) may still lack lines the others hold:
   * a copy runs, the last check found it lacking, or its set changed since that check.
   */
  boolean catchingUp(String stream, List<String> replicas) {
    if (replicas.size() < 2) return false;
    // a stream new to this router is taken as whole until its first check (a new stream lacks nothing)
    List<String> seen = checked.get(stream);
    return copying.containsKey(stream) || lacking.contains(stream) || (seen != null && !seen.equals(replicas));
  }

  /** Lines still to copy by the copies running; safe from any thread. */
  long lag() {
    return lag;
  }

  private void progress(String stream, Long linesLeft) {
    if (linesLeft == null) copying.remove(stream);
    else copying.put(stream, linesLeft);
    long sum = 0;
    for (long l : copying.values()) sum += l;
    lag = sum;
  }

  /**
   * Checks every stream's replicas ({@code replicasOf}: stream id to its set) and starts the copies needed. One
   * sweep at a time: asked during one, the next sweep follows it with the sets as they are then.
   */
  void check(Supplier<Map<String, List<String>>> replicasOf) {
    this.replicasOf = replicasOf;
    sweep();
  }

  private void sweep() {
    if (sweeping) {
      sweepAgain = true;
      return;
    }
    sweeping = true;
    sweepAgain = false;
    Set<String> found = new HashSet<>();
    Map<String, Long> high = new HashMap<>();
    boolean[] unproven = {false};
    List<Future<Void>> checks = new ArrayList<>();
    Map<String, List<String>> sets = replicasOf.get();
    sets.forEach((stream, replicas) -> {
      if (replicas.size() < 2) return;
      checks.add(check(stream, replicas, found, high, unproven));
    });
    if (checks.isEmpty()) sweepDone(sets, found, high, false); // a join of no future need not complete
    else Future.join(checks).onComplete(v -> sweepDone(sets, found, high, unproven[0]));
  }

  private void sweepDone(Map<String, List<String>> sets, Set<String> found, Map<String, Long> high,
                         boolean unproven) {
    checked = sets;
    lacking = found;
    highest = high;
    sweeping = false;
    onSweep.run();
    if (sweepAgain) {
      sweep();
    } else if (unproven && !recheckSet) {
      // a stream not known whole yet: the next check decides, soon
      recheckSet = true;
      vertx.setTimer(RECHECK_MS, t -> {
        recheckSet = false;
        sweep();
      });
    }
  }

  private Future<Void> check(String stream, List<String> replicas, Set<String> found, Map<String, Long> high,
                             boolean[] unproven) {
    List<Future<JsonObject>> held = new ArrayList<>();
    for (String r : replicas) {
      held.add(vertx.eventBus().<JsonObject>request(Addresses.collectorQuery(r), CollectorQuery.lastSeq(stream), CHECK)
          .map(m -> m.body()));
    }
    boolean firstLook = !replicas.equals(checked.get(stream));
    long highestBefore = highest.getOrDefault(stream, 0L);
    return Future.all(held).<Void>map(v -> {
      List<List<long[]>> runs = new ArrayList<>();
      for (Future<JsonObject> h : held) runs.add(runs(h.result()));
      CatchUpPlan plan = CatchUpPlan.of(runs, firstLook, highestBefore);
      high.put(stream, plan.highest());
      if (plan.lacking() || plan.unproven()) found.add(stream);
      if (plan.unproven()) unproven[0] = true;
      for (CatchUpPlan.Copy c : plan.copies()) {
        if (copying.containsKey(stream) || copying.size() >= MAX_COPIES) break;
        copy(stream, replicas.get(c.source()), replicas.get(c.target()), c.runs(), c.asWrites());
      }
      return null;
    }).recover(e -> {
      // a replica that does not answer (dead, not yet off the ring, overloaded) is not known to hold the lines:
      // the stream counts as under-replicated until a check of every replica succeeds
      found.add(stream);
      return Future.succeededFuture();
    });
  }

  /** The runs of seqs a {@code last-seq} answer lists, null when it lists none (an older collector). */
  private static List<long[]> runs(JsonObject answer) {
    JsonArray ranges = answer.getJsonArray("ranges");
    if (ranges == null) return null;
    List<long[]> runs = new ArrayList<>(ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      JsonArray r = ranges.getJsonArray(i);
      runs.add(new long[] {r.getLong(0), r.getLong(1)});
    }
    return runs;
  }

  /**
   * Copies the runs of the stream's lines {@code missing} holds from {@code source} to {@code target}, as
   * backfill, or as writes ({@code asWrites}) to a target that holds none of the stream's lines yet.
   */
  private void copy(String stream, String source, String target, List<long[]> missing, boolean asWrites) {
    long lines = MissingLines.count(missing);
    LOG.info("copying " + lines + " lines of " + stream + " (" + missing.size() + " runs from "
        + missing.get(0)[0] + ") from " + source + " to " + target);
    progress(stream, lines);
    Future<Void> chain = Future.succeededFuture();
    long[] left = {lines};
    for (long[] run : missing) {
      chain = chain.compose(v -> page(stream, source, target, run[0] - 1, run[1], left, asWrites));
    }
    chain.onComplete(ar -> {
      progress(stream, null);
      if (ar.failed()) LOG.info("copying " + stream + " to " + target + " stopped (" + ar.cause().getMessage()
          + "); tried again at the next check");
      else LOG.info("copied " + lines + " lines of " + stream + " to " + target);
      sweep(); // whether the stream is whole now, and the copies that waited for this one
    });
  }

  /** One page after {@code after}, then the next, through {@code through}; {@code left} counts lines to go. */
  private Future<Void> page(String stream, String source, String target, long after, long through, long[] left,
                            boolean asWrites) {
    if (after >= through) return Future.succeededFuture();
    int limit = (int) Math.min(PAGE_LINES, through - after);
    return vertx.eventBus().<LineBatch>request(Addresses.collectorQuery(source),
        CollectorQuery.logs(stream, after, limit), ASK).compose(m -> {
          LineBatch lines = m.body();
          if (lines.count() == 0 || lines.firstSeq() > through) return Future.succeededFuture(); // the source ends there
          LineBatch part = lines.head((int) Math.min(lines.count(), through - lines.firstSeq() + 1));
          String to = asWrites ? Addresses.collectorWrite(target) : Addresses.collectorBackfill(target);
          return vertx.eventBus().request(to, part, ASK).compose(r -> {
            bytesCopied.increment(part.dataLength());
            left[0] -= part.count();
            progress(stream, Math.max(0, left[0]));
            return page(stream, source, target, part.lastSeq(), through, left, asWrites);
          });
        });
  }
}
