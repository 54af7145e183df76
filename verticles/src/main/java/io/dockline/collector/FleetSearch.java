package io.dockline.collector;

import io.dockline.wire.CollectorQuery;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineMatches;
import io.dockline.wire.SearchKey;
import io.dockline.wire.SearchPage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * One collector's part of a search across containers: of the lines it holds in the asked parts (a container and
 * a range of its seqs), those the filters keep, the next {@code limit} in the search's order ({@link SearchKey}:
 * time, container, seq; ascending or descending) after the cursor.
 *
 * <p>Times do not follow seqs, so the scan goes by spans ({@link LineSpan}, a segment each) in the order of the
 * earliest line each may hold, and stops when the next span cannot hold a line that would be kept: a query for
 * the newest lines reads the newest segments only. A scan that looked at {@code maxScan} lines stops too, at a span
 * boundary; its answer is then whole only up to that span's earliest possible key ({@link SearchPage#complete()}),
 * and the asker continues from there. Memory: at most {@code limit} lines and about {@code maxBytes} of text.
 *
 * <p>Reads the store only (any thread, {@link LogStore#walk}); run it on a worker, never on an event loop.
 */
public final class FleetSearch {
  /** The lines of one container the search covers: seqs {@code fromSeq .. toSeq}. */
  public record Part(String containerId, long fromSeq, long toSeq) {}

  /**
   * @param sinceNanos  earliest time kept (inclusive), {@code Long.MIN_VALUE} for none
   * @param untilNanos  latest time kept (inclusive), {@code Long.MAX_VALUE} for none
   * @param after       the cursor: only lines after it in the search's order, or null
   */
  public record Request(List<Part> parts, long sinceNanos, long untilNanos, LinePredicate predicate, boolean descending,
                        SearchKey after, int limit, long maxScan, int maxBytes) {
    public Request {
      parts = List.copyOf(parts);
      if (limit < 1 || maxScan < 1 || maxBytes < 1) throw new IllegalArgumentException("limit, scan and bytes must be positive");
    }

    /** Parts as {@link #toJson} writes them: {@code [[containerId, fromSeq, toSeq], ...]}. */
    static List<Part> parts(JsonArray p) {
      if (p == null || p.size() > CollectorQuery.MAX_SEARCH_PARTS) throw new IllegalArgumentException("parts missing or too many");
      List<Part> parts = new ArrayList<>(p.size());
      for (int i = 0; i < p.size(); i++) {
        JsonArray part = p.getJsonArray(i);
        parts.add(new Part(part.getString(0), part.getLong(1), part.getLong(2)));
      }
      return parts;
    }

    static JsonArray partsJson(List<Part> parts) {
      JsonArray p = new JsonArray();
      for (Part part : parts) p.add(new JsonArray().add(part.containerId()).add(part.fromSeq()).add(part.toSeq()));
      return p;
    }

    /** The {@link CollectorQuery#SEARCH} request. */
    public JsonObject toJson() {
      return new JsonObject().put(CollectorQuery.OP, CollectorQuery.SEARCH).put("parts", partsJson(parts))
          .put("since", sinceNanos).put("until", untilNanos).put("filter", predicate.toJson())
          .put("order", descending ? "desc" : "asc").put("after", after == null ? null : after.toCursor())
          .put("limit", limit).put("scan", maxScan).put("maxBytes", maxBytes);
    }

    /**
     * A request as {@link #toJson} makes it, its bounds capped by this collector's.
     * @throws IllegalArgumentException when malformed
     */
    public static Request fromJson(JsonObject q) {
      try {
        List<Part> parts = parts(q.getJsonArray("parts"));
        String after = q.getString("after");
        return new Request(parts, q.getLong("since", Long.MIN_VALUE), q.getLong("until", Long.MAX_VALUE),
            LinePredicate.fromJson(q.getJsonObject("filter", new JsonObject())), "desc".equals(q.getString("order")),
            after == null ? null : SearchKey.parse(after),
            Math.min(CollectorQuery.MAX_SEARCH_LIMIT, q.getInteger("limit", 1000)),
            Math.min(CollectorQuery.MAX_SCAN_LINES, q.getLong("scan", (long) CollectorQuery.MAX_SCAN_LINES)),
            Math.min(CollectorQuery.MAX_SEARCH_BYTES, q.getInteger("maxBytes", CollectorQuery.MAX_SEARCH_BYTES)));
      } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
        throw new IllegalArgumentException("malformed search request: " + e);
      }
    }
  }

  private final LogStore store;
  private final Request request;
  private final Comparator<SearchKey> order;
  /** The kept lines, the one furthest in the search's order on top. */
  private final PriorityQueue<Found> kept;
  private long keptBytes;
  /** Set once a line was left out for lack of room: only lines before the furthest kept can still enter. */
  private boolean capped;
  private long walked;
  private final LinePredicate.Lines lines;

  private FleetSearch(LogStore store, Request request) {
    this.store = store;
    this.request = request;
    this.lines = request.predicate().lines();
    this.order = request.descending() ? Comparator.<SearchKey>reverseOrder() : Comparator.<SearchKey>naturalOrder();
    this.kept = new PriorityQueue<>(Math.min(request.limit(), 4096) + 1, (a, b) -> order.compare(b.key, a.key));
  }

  public static SearchPage run(LogStore store, Request request) throws IOException {
    return new FleetSearch(store, request).scan();
  }

  private record Candidate(Part part, LineSpan span, SearchKey earliest) {}

  private SearchPage scan() throws IOException {
    long lo = request.sinceNanos();
    long hi = request.untilNanos();
    SearchKey after = request.after();
    if (after != null && !request.descending()) lo = Math.max(lo, after.timeNanos());
    if (after != null && request.descending()) hi = Math.min(hi, after.timeNanos());
    List<Candidate> spans = new ArrayList<>();
    for (Part part : request.parts()) {
      for (LineSpan span : store.spans(part.containerId())) {
        if (!span.overlaps(part.fromSeq(), part.toSeq(), lo, hi)) continue;
        SearchKey earliest = request.descending() ? SearchKey.after(span.maxTimeNanos()) : SearchKey.before(span.minTimeNanos());
        // a span that began before the cursor holds nothing before it
        if (after != null && order.compare(earliest, after) < 0) earliest = after;
        spans.add(new Candidate(part, span, earliest));
      }
    }
    spans.sort((a, b) -> order.compare(a.earliest, b.earliest));
    SearchKey complete = null;
    for (int i = 0; i < spans.size(); i++) {
      Candidate c = spans.get(i);
      if (capped && order.compare(c.earliest, kept.peek().key) > 0) {
        complete = kept.peek().key; // no later span can hold a line before the furthest kept
        break;
      }
      // out of budget: stop before a span that starts past the cursor, so the next page starts further on
      if (walked >= request.maxScan() && (after == null || order.compare(c.earliest, after) > 0)) {
        complete = c.earliest; // everything before this span's earliest possible line is known
        while (!kept.isEmpty() && order.compare(kept.peek().key, complete) > 0) drop();
        break;
      }
      walk(c.part, c.span, lo, hi);
    }
    if (complete == null && capped) complete = kept.peek().key;
    return new SearchPage(answer(), complete);
  }

  private void walk(Part part, LineSpan span, long lo, long hi) throws IOException {
    String id = part.containerId();
    SearchKey after = request.after();
    // again: the next page starts in the block this one ends in
    store.walk(id, span, true, new LineVisitor() {
      @Override
      public void text(byte[] data, int from, int to) {
        lines.text(data, from, to);
      }

      @Override
      public void line(long seq, long time, byte stream, byte flags, byte[] data, int offset, int length) {
        walked++;
        if (seq < part.fromSeq() || seq > part.toSeq() || time < lo || time > hi) return;
        if (after != null && compare(time, id, seq, after) <= 0) return;
        if (capped && compare(time, id, seq, kept.peek().key) >= 0) return;
        if (!lines.matches(stream, flags, data, offset, length)) return;
        keep(new Found(new SearchKey(time, id, seq), stream, flags, Arrays.copyOfRange(data, offset, offset + length)));
      }
    });
  }

  /** The line's place against {@code key} in the search's order, without making a key of it. */
  private int compare(long time, String id, long seq, SearchKey key) {
    int c = Long.compare(time, key.timeNanos());
    if (c == 0) c = id.compareTo(key.containerId());
    if (c == 0) c = Long.compare(seq, key.seq());
    return request.descending() ? -c : c;
  }

  private void keep(Found line) {
    kept.add(line);
    keptBytes += line.text.length;
    while (kept.size() > request.limit() || (keptBytes > request.maxBytes() && kept.size() > 1)) drop();
  }

  private void drop() {
    keptBytes -= kept.poll().text.length;
    capped = true;
  }

  /** The kept lines by container, each in seq order. */
  private List<LineMatches> answer() throws IOException {
    Map<String, List<Found>> byContainer = new HashMap<>();
    for (Found f : kept) byContainer.computeIfAbsent(f.key.containerId(), k -> new ArrayList<>()).add(f);
    List<LineMatches> out = new ArrayList<>();
    for (Map.Entry<String, List<Found>> e : byContainer.entrySet()) {
      List<Found> lines = e.getValue();
      lines.sort(Comparator.comparingLong(f -> f.key.seq()));
      int n = lines.size();
      long[] seqs = new long[n];
      long[] times = new long[n];
      byte[] streams = new byte[n];
      byte[] flags = new byte[n];
      int[] offsets = new int[n + 1];
      for (int i = 0; i < n; i++) offsets[i + 1] = offsets[i] + lines.get(i).text.length;
      byte[] data = new byte[offsets[n]];
      for (int i = 0; i < n; i++) {
        Found f = lines.get(i);
        seqs[i] = f.key.seq();
        times[i] = f.key.timeNanos();
        streams[i] = f.stream;
        flags[i] = f.flags;
        System.arraycopy(f.text, 0, data, offsets[i], f.text.length);
      }
      ContainerMeta meta = store.meta(e.getKey()).orElse(new ContainerMeta(e.getKey(), null, null, null, null));
      out.add(new LineMatches(new LineBatch(meta, seqs[0], n, times, streams, flags, offsets, data), seqs, seqs[0],
          seqs[n - 1]));
    }
    return out;
  }

  private record Found(SearchKey key, byte stream, byte flags, byte[] text) {}
}
