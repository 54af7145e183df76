package io.dockline.routing;

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
 * <p>A check asks every replica of each stream this router forwards for the runs of seqs it holds, after every
 * ring change and then periodically: a replica lacks the lines another holds below its own last seq (before its
 * first line, or in a hole, when it left the set and came back). So a copy starts at once, and one that failed
 * (a replica left, an older collector without the backfill address) is tried again later. Event-loop confined.
 */
final class ReplicaCatchUp {
  private static final Logger LOG = Logger.getLogger(ReplicaCatchUp.class.getName());
  /** Lines asked of the source at once (a page is also bounded in bytes by the source). */
  private static final int PAGE_LINES = 5_000;
  private static final int MAX_COPIES = 2;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;
  private final Counter bytesCopied;
  /** Stream id to the lines its copies still have to bring, for the ones running. */
  private final Map<String, Long> copying = new HashMap<>();
  /** Streams whose replicas were found lacking lines at the last check (copying or waiting to). */
  private Set<String> lacking = Set.of();
  private boolean sweeping;
  private Supplier<Map<String, List<String>>> sweepAgain;
  /** Lines still to copy by the copies running, for the gauge (read off the event loop). */
  private volatile long lag;

  ReplicaCatchUp(Vertx vertx, Counter bytesCopied) {
    this.vertx = vertx;
    this.bytesCopied = bytesCopied;
  }

  /** Whether some replica of the stream still lacks lines the others hold. */
  boolean catchingUp(String stream) {
    return copying.containsKey(stream) || lacking.contains(stream);
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
    if (sweeping) {
      sweepAgain = replicasOf;
      return;
    }
    sweeping = true;
    Set<String> found = new HashSet<>();
    List<Future<Void>> checks = new ArrayList<>();
    replicasOf.get().forEach((stream, replicas) -> {
      if (replicas.size() < 2) return;
      checks.add(check(stream, replicas, found));
    });
    if (checks.isEmpty()) sweepDone(found); // a join of no future need not complete
    else Future.join(checks).onComplete(v -> sweepDone(found));
  }

  private void sweepDone(Set<String> found) {
    lacking = found;
    sweeping = false;
    Supplier<Map<String, List<String>>> next = sweepAgain;
    sweepAgain = null;
    if (next != null) check(next);
  }

  private Future<Void> check(String stream, List<String> replicas, Set<String> found) {
    List<Future<JsonObject>> held = new ArrayList<>();
    for (String r : replicas) {
      held.add(vertx.eventBus().<JsonObject>request(Addresses.collectorQuery(r), CollectorQuery.lastSeq(stream), ASK)
          .map(m -> m.body()));
    }
    return Future.all(held).<Void>map(v -> {
      List<List<long[]>> runs = new ArrayList<>();
      for (Future<JsonObject> h : held) runs.add(runs(h.result()));
      for (int t = 0; t < replicas.size(); t++) {
        // null: a collector of an older release; empty: no batch reached it yet (the next check sees)
        if (runs.get(t) == null || runs.get(t).isEmpty()) continue;
        long through = runs.get(t).get(runs.get(t).size() - 1)[1];
        for (int s = 0; s < replicas.size(); s++) {
          if (s == t || runs.get(s) == null) continue;
          List<long[]> missing = MissingLines.of(runs.get(s), runs.get(t), through);
          if (missing.isEmpty()) continue;
          found.add(stream);
          if (!copying.containsKey(stream) && copying.size() < MAX_COPIES) {
            copy(stream, replicas.get(s), replicas.get(t), missing);
          }
          break;
        }
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

  /** Copies the runs of the stream's lines {@code missing} holds from {@code source} to {@code target}. */
  private void copy(String stream, String source, String target, List<long[]> missing) {
    long lines = MissingLines.count(missing);
    LOG.info("copying " + lines + " lines of " + stream + " (" + missing.size() + " runs from "
        + missing.get(0)[0] + ") from " + source + " to " + target);
    progress(stream, lines);
    Future<Void> chain = Future.succeededFuture();
    long[] left = {lines};
    for (long[] run : missing) {
      chain = chain.compose(v -> page(stream, source, target, run[0] - 1, run[1], left));
    }
    chain.onComplete(ar -> {
      progress(stream, null);
      if (ar.failed()) LOG.info("copying " + stream + " to " + target + " stopped (" + ar.cause().getMessage()
          + "); tried again at the next check");
      else LOG.info("copied " + lines + " lines of " + stream + " to " + target);
    });
  }

  /** One page after {@code after}, then the next, through {@code through}; {@code left} counts lines to go. */
  private Future<Void> page(String stream, String source, String target, long after, long through, long[] left) {
    if (after >= through) return Future.succeededFuture();
    int limit = (int) Math.min(PAGE_LINES, through - after);
    return vertx.eventBus().<LineBatch>request(Addresses.collectorQuery(source),
        CollectorQuery.logs(stream, after, limit), ASK).compose(m -> {
          LineBatch lines = m.body();
          if (lines.count() == 0 || lines.firstSeq() > through) return Future.succeededFuture(); // the source ends there
          LineBatch part = lines.head((int) Math.min(lines.count(), through - lines.firstSeq() + 1));
          return vertx.eventBus().request(Addresses.collectorBackfill(target), part, ASK).compose(r -> {
            bytesCopied.increment(part.dataLength());
            left[0] -= part.count();
            progress(stream, Math.max(0, left[0]));
            return page(stream, source, target, part.lastSeq(), through, left);
          });
        });
  }
}
