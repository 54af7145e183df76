package io.dockline.gateway;

import io.dockline.collector.FleetSearch;
import io.dockline.collector.FleetStats;
import io.dockline.wire.Addresses;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.LineMatches;
import io.dockline.wire.SearchKey;
import io.dockline.wire.SearchPage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A page of a search across containers: the selected containers' collectors each give their next lines in the
 * search's order ({@link FleetSearch}), and the gateway merges them. A collector's answer is whole only up to
 * its {@link SearchPage#complete()} key, so the page ends at the earliest such key, or at the limit; the cursor is
 * where it ended, and the next page starts right after it: no line twice, none skipped, whatever times they
 * share. A line held by two collectors (a replica, a stream moved away and back) has one key and is given once.
 *
 * <p>Memory: each collector answers at most {@code limit} lines and {@link CollectorQuery#MAX_SEARCH_BYTES}; the
 * page written stops at {@link #MAX_PAGE_BYTES}.
 */
final class FleetSearches {
  /** NDJSON bytes after which a page ends (at a line, with a cursor), whatever its limit. */
  static final long MAX_PAGE_BYTES = 16 << 20;
  private static final DeliveryOptions SEARCH = new DeliveryOptions().setSendTimeout(30_000);
  /** Rounds of asking the collectors one page takes at most ({@link #round}). */
  private static final int ROUNDS = 4;

  private final Vertx vertx;
  private final ClusterView view;
  /** Lines one collector looks at per page before it answers with what it has and where to go on. */
  private final long scanPerPage;

  FleetSearches(Vertx vertx, ClusterView view, long scanPerPage) {
    this.vertx = vertx;
    this.view = view;
    this.scanPerPage = scanPerPage;
  }

  /** Where a page's lines go: NDJSON ({@link LineJson.NdjsonWriter}) or JSON objects (the bridge). */
  interface Out {
    void append(LineJson.Source source, int index, long seq);

    /** Bytes written so far. */
    long length();
  }

  /** Lines as JSON objects, for a bridge reply. */
  static final class JsonLines implements Out {
    final io.vertx.core.json.JsonArray lines = new io.vertx.core.json.JsonArray();
    private long length;

    @Override
    public void append(LineJson.Source source, int index, long seq) {
      JsonObject line = LineJson.of(source.batch(), index, seq, source.labels());
      lines.add(line);
      length += source.batch().lineLength(index) + 200;
    }

    @Override
    public long length() { return length; }
  }

  /** What a page held, and the cursor of the next one (null: nothing is left). */
  record Page(int count, int containers, SearchKey cursor) {}

  Future<Page> page(SearchQuery q, Out out) {
    return page(q, null, out);
  }

  /**
   * A page as {@link #page(SearchQuery, Out)} gives it, of the lines up to a seq of each container: with
   * {@code through} (container id to seq), only those containers, each through its seq (a follow reads what comes
   * after them live).
   */
  Future<Page> page(SearchQuery q, Map<String, Long> through, Out out) {
    return view.containers().compose(all -> {
      List<JsonObject> selected = q.selector().select(all).stream()
          .filter(c -> through == null || through.getOrDefault(c.getString("id"), 0L) > 0).toList();
      HolderSplit split = new HolderSplit();
      for (JsonObject c : selected) {
        long toSeq = through == null ? Long.MAX_VALUE : through.get(c.getString("id"));
        // one holder per seq, unless one has holes: its missing seqs may be held by none of the others either,
        // so every holder reads all and the merge drops the copies
        boolean holes = c.getJsonArray("collectors").stream().anyMatch(h -> HolderSplit.holed((JsonObject) h));
        if (holes) {
          split.everyHolder(c, toSeq);
        } else {
          split.split(c, toSeq);
        }
      }
      return round(q, split, out, selected.size(), 0, ROUNDS);
    });
  }

  /**
   * One round of a page: each collector is asked for its share of the lines still wanted (its part of the
   * selected seqs, with room to spare), not for all of them, so that collectors do not find, and the gateway
   * does not decode, lines most of which fall past the page. When a collector's answer filled what it was asked
   * and so ended the merge short of the limit, another round goes on from there, the last asking each for all.
   */
  private Future<Page> round(SearchQuery q, HolderSplit split, Out out, int containers, int given, int roundsLeft) {
    int want = q.limit() - given;
    Map<String, List<FleetSearch.Part>> byCollector = split.parts();
    List<Future<SearchPage>> answers = new ArrayList<>();
    List<Integer> asked = new ArrayList<>();
    for (String node : byCollector.keySet()) {
      int ask = roundsLeft > 1 ? (int) Math.min(want, Math.ceil(want * split.share(node) * 1.5) + 100) : want;
      asked.add(ask);
      FleetSearch.Request request = new FleetSearch.Request(byCollector.get(node), q.sinceNanos(), q.untilNanos(),
          q.predicate(), q.descending(), q.cursor(), ask, scanPerPage, CollectorQuery.MAX_SEARCH_BYTES);
      answers.add(vertx.eventBus().<SearchPage>request(Addresses.collectorQuery(node), request.toJson(), SEARCH)
          .map(m -> m.body()).recover(e -> Future.failedFuture(failure(node, e))));
    }
    return Future.all(answers).compose(v -> {
      List<SearchPage> pages = answers.stream().map(Future::result).toList();
      Merged m = merge(q, want, pages, out);
      int count = given + m.count;
      // short because a collector ran out of what it was asked (not of its scan budget): ask on from the cursor
      boolean askMore = m.bound != null && m.count < want && out.length() < MAX_PAGE_BYTES
          && pages.get(m.bound).lineCount() >= asked.get(m.bound) && asked.get(m.bound) < want;
      if (askMore && m.cursor != null) return round(q.after(m.cursor), split, out, containers, count, roundsLeft - 1);
      return Future.succeededFuture(new Page(count, containers, m.cursor));
    });
  }

  /**
   * Counts of the selected containers' lines per group and time bucket ({@code GET /api/stats}): each collector
   * counts what it holds and only the counts travel. A line held by several collectors (replicas, a stream moved
   * away and back) is counted by one ({@link HolderSplit}).
   */
  Future<JsonObject> stats(SearchQuery q, long stepNanos, String by) {
    try {
      new FleetStats.Request(List.of(), q.sinceNanos(), q.untilNanos(), q.predicate(), stepNanos, by);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.badRequest(e.getMessage()));
    }
    return view.containers().compose(all -> {
      HolderSplit split = new HolderSplit();
      for (JsonObject c : q.selector().select(all)) split.split(c, Long.MAX_VALUE);
      Map<String, List<FleetSearch.Part>> byCollector = split.parts();
      List<Future<JsonObject>> answers = new ArrayList<>();
      for (Map.Entry<String, List<FleetSearch.Part>> e : byCollector.entrySet()) {
        FleetStats.Request request = new FleetStats.Request(e.getValue(), q.sinceNanos(), q.untilNanos(), q.predicate(),
            stepNanos, by);
        answers.add(vertx.eventBus().<JsonObject>request(Addresses.collectorQuery(e.getKey()), request.toJson(), SEARCH)
            .map(m -> m.body()).recover(err -> Future.failedFuture(failure(e.getKey(), err))));
      }
      return Future.all(answers).map(v -> sumStats(answers.stream().map(Future::result).toList(), stepNanos, by));
    });
  }

  private static JsonObject sumStats(List<JsonObject> answers, long stepNanos, String by) {
    Map<String, java.util.TreeMap<Long, long[]>> groups = new java.util.TreeMap<>();
    for (JsonObject a : answers) {
      a.getJsonObject("groups").forEach(g -> {
        java.util.TreeMap<Long, long[]> buckets = groups.computeIfAbsent(g.getKey(), k -> new java.util.TreeMap<>());
        ((JsonObject) g.getValue()).forEach(b -> {
          long[] sum = buckets.computeIfAbsent(Long.parseLong(b.getKey()), k -> new long[2]);
          io.vertx.core.json.JsonArray counts = (io.vertx.core.json.JsonArray) b.getValue();
          sum[0] += counts.getLong(0);
          sum[1] += counts.getLong(1);
        });
      });
    }
    io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
    groups.forEach((key, buckets) -> {
      long lines = 0;
      long bytes = 0;
      io.vertx.core.json.JsonArray list = new io.vertx.core.json.JsonArray();
      for (Map.Entry<Long, long[]> b : buckets.entrySet()) {
        lines += b.getValue()[0];
        bytes += b.getValue()[1];
        list.add(new JsonObject().put("time", LineJson.formatTime(b.getKey())).put("lines", b.getValue()[0])
            .put("bytes", b.getValue()[1]));
      }
      out.add(new JsonObject().put("key", key).put("lines", lines).put("bytes", bytes).put("buckets", list));
    });
    return new JsonObject().put("step", java.time.Duration.ofNanos(stepNanos).toString()).put("by", by).put("groups", out);
  }

  private static ApiException failure(String node, Throwable e) {
    if (e instanceof ReplyException r && r.failureCode() == CollectorQuery.BAD_REQUEST
        && String.valueOf(r.getMessage()).contains("unknown query op")) {
      return new ApiException(502, "collector " + node + " runs a release without search across containers: upgrade it");
    }
    return ClusterView.replyFailure(e, "collector " + node + " is gone");
  }

  private record Entry(SearchKey key, LineJson.Source source, int index) {}

  /** What a merge wrote, where the next page starts (null: nothing left), and which answer ended it, if one did. */
  private record Merged(int count, SearchKey cursor, Integer bound) {}

  private static Merged merge(SearchQuery q, int want, List<SearchPage> answers, Out out) {
    Comparator<SearchKey> order = q.descending() ? Comparator.reverseOrder() : Comparator.naturalOrder();
    SearchKey bound = null;
    Integer boundBy = null;
    List<Entry> entries = new ArrayList<>();
    for (int a = 0; a < answers.size(); a++) {
      SearchPage answer = answers.get(a);
      if (answer.hasMore() && (bound == null || order.compare(answer.complete(), bound) < 0)) {
        bound = answer.complete();
        boundBy = a;
      }
      for (LineMatches m : answer.containers()) {
        LineJson.Source source = LineJson.Source.of(m.lines());
        for (int i = 0; i < m.count(); i++) {
          entries.add(new Entry(new SearchKey(m.lines().timeNanos(i), m.lines().container().id(), m.seq(i)), source, i));
        }
      }
    }
    entries.sort((a, b) -> order.compare(a.key, b.key));
    int count = 0;
    SearchKey last = null;
    for (Entry e : entries) {
      if (bound != null && order.compare(e.key, bound) > 0) break;
      if (e.key.equals(last)) continue; // a replica's copy
      if (count == want || out.length() >= MAX_PAGE_BYTES) return new Merged(count, last, null);
      out.append(e.source, e.index, e.key.seq());
      last = e.key;
      count++;
    }
    // everything up to the bound is given: the next page starts after it
    return new Merged(count, bound, boundBy);
  }
}
