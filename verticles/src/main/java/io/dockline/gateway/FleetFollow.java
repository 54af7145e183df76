package io.dockline.gateway;

import io.dockline.config.NodeStatus;
import io.dockline.wire.SearchKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/logs?follow=true}: the lines of every container a selector matches, as they come, as Server-Sent
 * Events in time order ({@link FollowMerge}).
 *
 * <p>Each selected container has a {@link LogTail} that this follow drives: every {@link #TICK_MS} the gateway's
 * container list (shared by every tail and follow, at most 200 ms old) is matched against the selector, so a
 * container that starts or first matches later is followed from its lines stamped since the follow began; only
 * containers listed with lines past their tail's last are read, at most {@link #READS_IN_FLIGHT} at once, so a
 * selector matching thousands of idle containers costs no collector read. A tail reads whichever collectors hold its container, so a stream
 * moving to another collector goes on without a missing or repeated line.
 *
 * <p>Lines are held until the watermark passes their time: the gateway's clock less {@code follow-settle}, less
 * how far behind the gateway's clock the most-behind host of the followed containers is (measured, see
 * {@link ClusterView#clockOffsets()}; counted up to {@link #MAX_SKEW_NANOS}). Each event's id is the key of the
 * last line given in order; a follow started with one (Last-Event-ID, {@code cursor}, or {@code since}) first gives
 * the stored lines after it, page by page as a search does, then goes on live.
 */
final class FleetFollow {
  static final long TICK_MS = 100;
  static final int READS_IN_FLIGHT = 8;
  /** Held lines at most, per follow (and about their bytes): past it the earliest go before they are due. */
  static final int MAX_HELD_LINES = 10_000;
  static final long MAX_HELD_BYTES = 16L << 20;
  /** About what a held line's JSON costs besides its text. */
  private static final long HELD_LINE_OVERHEAD = 600;
  /** Containers one follow follows at most; more matching at the start is a 400. */
  static final int MAX_CONTAINERS = 10_000;
  /** A host's clock behind (or ahead) by more than this delays a follow no further: its lines come late. */
  static final long MAX_SKEW_NANOS = 60_000_000_000L;
  /** The version of an event id's form. */
  private static final String ID_VERSION = "1:";

  private final Vertx vertx;
  private final ClusterView view;
  private final FleetSearches searches;
  private final GatewayMetrics metrics;
  private final SearchQuery query;
  private final long settleNanos;
  private final HttpServerResponse resp;
  private final Map<String, LogTail> tails = new LinkedHashMap<>();
  /** The hosts of the followed containers, whose clocks the watermark waits for. */
  private final Set<String> hosts = new HashSet<>();
  private final Set<String> reading = new HashSet<>();
  private FollowMerge<JsonObject> merge;
  private long timer = -1;
  private int rotate;
  /** When the follow started (the gateway's clock), and the time of the position it started from, if any. */
  private long startedAt;
  private Long startedFrom;
  private boolean stopped;
  private boolean warnedTooMany;

  FleetFollow(Vertx vertx, ClusterView view, FleetSearches searches, GatewayMetrics metrics, SearchQuery query,
              long settleMillis, HttpServerResponse resp) {
    this.vertx = vertx;
    this.view = view;
    this.searches = searches;
    this.metrics = metrics;
    this.query = query;
    this.settleNanos = settleMillis * 1_000_000L;
    this.resp = resp;
  }

  /** An event id as this follow writes it. */
  static String eventId(SearchKey key) {
    return ID_VERSION + key.toCursor();
  }

  /** @throws ApiException 400 when {@code id} is not one a follow gave */
  static SearchKey parseEventId(String id) {
    try {
      if (!id.startsWith(ID_VERSION)) throw new IllegalArgumentException("unknown version");
      return SearchKey.parse(id.substring(ID_VERSION.length()));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("Last-Event-ID is not one this follow gave: '" + id + "'");
    }
  }

  /**
   * Starts following: every container {@code selected} (as the query's selector picks them now) from its newest
   * line on, after the stored lines following {@code from} when given (a resume, or {@code since}).
   */
  void start(List<JsonObject> selected, SearchKey from) {
    startedFrom = from == null ? null : from.timeNanos();
    startedAt = NodeStatus.wallClockNanos();
    Map<String, Long> through = new LinkedHashMap<>();
    for (JsonObject c : selected) {
      through.put(c.getString("id"), c.getLong("lastSeq", 0L));
      follow(c, c.getLong("lastSeq", 0L), query.sinceNanos());
    }
    if (from == null) {
      merge = new FollowMerge<>(null, MAX_HELD_LINES, MAX_HELD_BYTES);
      tick();
    } else {
      catchUp(from, through, watermark());
    }
  }

  void stop() {
    stopped = true;
    if (timer >= 0) vertx.cancelTimer(timer);
    tails.values().forEach(LogTail::stop);
  }

  /**
   * The stored lines after {@code cursor}, of the containers through their seqs at the start: those up to the
   * watermark given at once, page by page; those after it held with the live ones ({@link #settle}).
   */
  private void catchUp(SearchKey cursor, Map<String, Long> through, long watermark) {
    SseLines out = new SseLines();
    searches.page(query.after(cursor, watermark), through, out).onSuccess(page -> {
      if (stopped) return;
      metrics.linesServed(page.count());
      resp.write(out.buffer);
      SearchKey position = out.last != null ? out.last : cursor;
      if (page.cursor() == null) {
        merge = new FollowMerge<>(position, MAX_HELD_LINES, MAX_HELD_BYTES);
        settle(position.compareTo(SearchKey.after(watermark)) > 0 ? position : SearchKey.after(watermark), through);
      } else {
        whenDrained(() -> catchUp(page.cursor(), through, watermark));
      }
    }).onFailure(this::failed);
  }

  /** The stored lines after {@code cursor} (past the watermark when the catch-up ended) join the held ones. */
  private void settle(SearchKey cursor, Map<String, Long> through) {
    HeldLines out = new HeldLines();
    searches.page(query.after(cursor, Long.MAX_VALUE), through, out).onSuccess(page -> {
      if (stopped) return;
      release();
      if (page.cursor() == null) tick();
      else whenDrained(() -> settle(page.cursor(), through));
    }).onFailure(this::failed);
  }

  private void whenDrained(Runnable next) {
    if (!resp.writeQueueFull()) {
      next.run();
      return;
    }
    resp.drainHandler(v -> {
      resp.drainHandler(null);
      if (!stopped) next.run();
    });
  }

  private void failed(Throwable e) {
    if (stopped) return;
    ApiException a = ClusterView.replyFailure(e, "no collector answered");
    resp.write(Sse.event("error", new JsonObject().put("error", a.getMessage()).put("status", a.status)));
    resp.end();
  }

  /** Follows a container after seq {@code after}, its lines stamped from {@code fromNanos} on. */
  private void follow(JsonObject c, long after, long fromNanos) {
    String id = c.getString("id");
    if (tails.size() >= MAX_CONTAINERS) {
      if (!warnedTooMany) write(Sse.comment("more than " + MAX_CONTAINERS + " containers match: those beyond are not followed"));
      warnedTooMany = true;
      return;
    }
    hosts.add(c.getString("host", ""));
    tails.put(id, new LogTail(vertx, view, id, after, l -> l.timeNanos() >= fromNanos && l.matches(query.predicate()),
        new ContainerSink(id)));
  }

  private void tick() {
    timer = -1;
    if (stopped) return;
    view.containers().onComplete(ar -> {
      if (stopped) return;
      if (ar.succeeded()) read(ar.result());
      release();
      timer = vertx.setTimer(TICK_MS, t -> tick());
    });
  }

  /**
   * Follows newly selected containers from their first line after the start, and reads those with new lines, a few at once,
   * taking turns.
   */
  private void read(Map<String, JsonObject> all) {
    for (JsonObject c : query.selector().select(all)) {
      if (!tails.containsKey(c.getString("id"))) {
        follow(c, Math.max(0, c.getLong("firstSeq", 0L) - 1), Math.max(query.sinceNanos(), origin(c.getString("host", ""))));
      }
    }
    List<String> ids = new ArrayList<>(tails.keySet());
    for (int k = 0; k < ids.size() && reading.size() < READS_IN_FLIGHT && !full(); k++) {
      String id = ids.get((rotate + k) % ids.size());
      JsonObject c = all.get(id);
      LogTail tail = tails.get(id);
      if (c == null || reading.contains(id) || !tail.behind(c)) continue;
      reading.add(id);
      tail.read(c).onComplete(ar -> {
        reading.remove(id);
        release();
      });
    }
    rotate = ids.isEmpty() ? 0 : (rotate + 1) % ids.size();
  }

  /**
   * The time from which a container first seen after the start (it started, or was renamed into the selector) is
   * followed: the position's the follow started from (Last-Event-ID, cursor, since), or else the start less the
   * settle delay by its host's clock. Not its history,
   * which a container renamed into the selector would otherwise pour out as late lines.
   */
  private long origin(String host) {
    if (startedFrom != null) return startedFrom;
    return startedAt - settleNanos + skew(Set.of(host));
  }

  private boolean full() {
    return merge.full() || resp.writeQueueFull();
  }

  private void release() {
    if (stopped || merge == null) return;
    merge.release(watermark(), resp::writeQueueFull, this::event);
  }

  /**
   * The time up to which lines are given: the gateway's clock less the settle delay, less how far behind the
   * most-behind followed host's clock is (or plus how far ahead the least-ahead one is), within
   * {@link #MAX_SKEW_NANOS}. A host without a measured offset counts as on time.
   */
  private long watermark() {
    return NodeStatus.wallClockNanos() - settleNanos + skew(hosts);
  }

  /** The earliest the hosts' clocks may be against the gateway's (0 for none measured), within the bound. */
  private long skew(Set<String> of) {
    Map<String, ClusterView.ClockOffset> clocks = view.clockOffsets();
    long skew = Long.MAX_VALUE;
    for (String host : of) {
      ClusterView.ClockOffset o = clocks.get(host);
      skew = Math.min(skew, o == null ? 0 : o.earliestNanos());
    }
    if (skew == Long.MAX_VALUE) skew = 0;
    return Math.max(-MAX_SKEW_NANOS, Math.min(MAX_SKEW_NANOS, skew));
  }

  private void event(SearchKey id, JsonObject line) {
    metrics.linesServed(1);
    write(Sse.line(eventId(id), line));
  }

  private void write(String event) {
    if (!stopped && !resp.ended()) resp.write(event); // not for a read that was under way when the client left
  }

  /** Where one container's tail gives its lines. */
  private final class ContainerSink implements LogTail.Sink {
    private final String containerId;

    ContainerSink(String containerId) {
      this.containerId = containerId;
    }

    @Override
    public void line(StoredLine l) {
      // held rendered, not as a reference into the batch read: a filter keeping one line in a thousand would
      // otherwise hold whole batches
      JsonObject json = l.toJson();
      // late: the position is past it; given now, flagged, and the position (the id) stays
      if (merge.offer(l.key(), json, l.textBytes() + HELD_LINE_OVERHEAD) == FollowMerge.Offer.LATE) {
        event(merge.position(), json.put("late", true));
      }
    }

    @Override
    public void line(JsonObject line) {
      throw new UnsupportedOperationException("lines are taken as read");
    }

    @Override
    public void gap(long from, long to) {
      write(Sse.range("gap", containerId, from, to));
    }

    @Override
    public void trimmed(long from, long to) {
      write(Sse.range("trimmed", containerId, from, to));
    }

    @Override
    public boolean full() {
      return FleetFollow.this.full();
    }
  }

  /** A page's lines offered to the merge, as a tail's are. */
  private final class HeldLines implements FleetSearches.Out {
    private final ContainerSink sink = new ContainerSink("");
    private long length;

    @Override
    public void append(LineJson.Source source, int index, long seq) {
      StoredLine l = new StoredLine(source, index, seq);
      length += l.textBytes() + HELD_LINE_OVERHEAD;
      sink.line(l);
    }

    @Override
    public long length() {
      return length;
    }
  }

  /** A catch-up page's lines as events, each with its own key as id. */
  private static final class SseLines implements FleetSearches.Out {
    final Buffer buffer = Buffer.buffer();
    SearchKey last;

    @Override
    public void append(LineJson.Source source, int index, long seq) {
      StoredLine l = new StoredLine(source, index, seq);
      last = l.key();
      buffer.appendString(Sse.line(eventId(last), l.toJson()));
    }

    @Override
    public long length() {
      return buffer.length();
    }
  }
}
