package io.dockline.gateway;

import io.dockline.collector.TextFilter;
import io.dockline.wire.CollectorQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a container's lines the way {@link LogQuery} asks: where to start ({@code after}, {@code tail}, or
 * the first line at {@code since}, found by bisection since times increase with seq), then pages from the
 * collectors filtered by time and text, until {@code limit} lines match or the scan budget is spent.
 */
final class LogPages {
  /**
   * Lines looked at for one answer when a filter skips most of them; the answer says where it stopped
   * (X-Dockline-Scanned-Through, more=true) and the client continues after it. When the collectors filter by
   * text themselves they look at up to {@link #FILTERED_SCAN_BUDGET} lines (each collector reply at most that
   * many, fewer when it fills the answer); when the gateway filters, {@code SCAN_BUDGET}.
   */
  static final int SCAN_BUDGET = 200_000;
  static final int FILTERED_SCAN_BUDGET = CollectorQuery.MAX_SCAN_LINES;
  /**
   * Bytes of lines one answer holds at most (their text, and their metadata): a page of long lines stops
   * here, at least one line in, and says there is more. Without it {@code limit} lines of 1 MiB each were held.
   */
  static final long MAX_PAGE_BYTES = 16 << 20;
  /** Lines asked of the collectors at a time while a filter skips lines (they are references, not yet JSON). */
  private static final int PAGE = 50_000;
  /** Lines a text search asks each collector to look at per request: two such requests are out at a time. */
  static final int SEARCH_STRETCH = 100_000;
  /** Lines a plain read asks per request: the next is asked while the gateway writes these. */
  static final int READ_STRETCH = 25_000;
  /** Header of a page whose read started in seqs deleted by retention or a purge: {@code from-to}. */
  static final String TRIMMED_HEADER = "X-Dockline-Trimmed";
  /** Header of a page whose read started in seqs no collector holds otherwise (a damaged chunk): {@code from-to}. */
  static final String GAP_HEADER = "X-Dockline-Gap";

  private final ClusterView view;
  final int searchStretch;
  final int readStretch;

  LogPages(ClusterView view) {
    this(view, SEARCH_STRETCH, READ_STRETCH);
  }

  LogPages(ClusterView view, int searchStretch, int readStretch) {
    this.view = view;
    this.searchStretch = searchStretch;
    this.readStretch = readStretch;
  }

  /**
   * A page of matching lines; {@code scannedThrough} is the seq to continue after, and {@code more} says
   * whether the read stopped at the limit or the scan budget (false: at the end of what is stored, or at
   * {@code until}).
   */
  static final class Page {
    /** The lines, unless they were written as NDJSON as they were found (then empty: see {@link #count}). */
    final List<StoredLine> lines;
    final int count;
    final long scannedThrough;
    final boolean more;
    /**
     * Seqs {@code skipped[0]..skipped[1]} right after where the read started are not held (deleted by retention
     * or a purge, or lost in a damaged chunk): the page starts after them. Null when it starts where asked.
     */
    final long[] skipped;
    /** The skipped seqs come before the first line any collector holds: deleted, not damaged. */
    final boolean trimmed;
    /** About what the lines take rendered (their text and metadata). */
    final long bytes;

    Page(Found found, long scannedThrough, boolean more) {
      this.lines = found.lines;
      this.count = found.count;
      this.scannedThrough = scannedThrough;
      this.more = more;
      this.skipped = found.skipped;
      this.bytes = found.bytes;
      // seqs from before the first one held when the container was looked up: deleted (retention, a purge), even
      // when a retention run since deleted more of them than that lookup knew
      this.trimmed = skipped != null && skipped[0] < found.firstSeq;
    }

    /** The header (and JSON field) naming the skipped seqs {@code from-to}: trimmed or gap; null when none. */
    String skippedHeader() {
      return skipped == null ? null : trimmed ? TRIMMED_HEADER : GAP_HEADER;
    }

    JsonObject toJson(JsonObject container) {
      JsonObject page = new JsonObject().put("container", container).put("lines", new JsonArray(lines.stream().map(StoredLine::toJson).collect(Collectors.toList())))
          .put("scannedThrough", scannedThrough).put("more", more);
      if (skipped != null) {
        page.put(trimmed ? "trimmed" : "gap", new JsonObject().put("from", skipped[0]).put("to", skipped[1]));
      }
      return page;
    }
  }

  Future<Page> page(JsonObject container, LogQuery q) {
    return page(container, q, null);
  }

  /**
   * {@link #page}, its lines also written to {@code ndjson} as they are found, while the collectors scan on:
   * the page's NDJSON is then ready when its last answer is.
   */
  Future<Page> page(JsonObject container, LogQuery q, LineJson.NdjsonWriter ndjson) {
    // tail=N: the last N lines when the container was looked up, not those plus what was stored since
    long through = q.tail != null ? container.getLong("lastSeq") : Long.MAX_VALUE;
    Found found = new Found(container, ndjson);
    return startAfter(container, q).compose(after -> scan(container, q, after, through, found, 0));
  }

  /**
   * The lines a page has found so far, and their size. Written as NDJSON as they are found, they are not kept:
   * the collectors' answers they point into are then garbage as soon as they are written.
   */
  private static final class Found {
    private final List<StoredLine> lines = new ArrayList<>();
    private int count;
    private final long metaBytes;
    private long bytes;
    private long[] skipped;
    private final long firstSeq;
    private final LineJson.NdjsonWriter ndjson;

    Found(JsonObject container, LineJson.NdjsonWriter ndjson) {
      firstSeq = container.getLong("firstSeq", 0L);
      // what every line repeats: the container's id, names and labels (its JSON holds them, and a little more)
      metaBytes = 100 + container.encode().length();
      this.ndjson = ndjson;
    }

    /** Adds a line; true when the page is full by size. */
    boolean addAndFull(StoredLine line) {
      count++;
      if (ndjson != null) {
        line.appendNdjson(ndjson);
      } else {
        lines.add(line);
      }
      bytes += metaBytes + line.textBytes();
      return bytes >= MAX_PAGE_BYTES;
    }
  }

  /**
   * Pages on after {@code after}, up to seq {@code through} at most. A text filter goes to the collectors, which
   * scan their stored bytes and answer only matching lines, unless {@code until} is set (the gateway then stops
   * at the first line past it, matching or not). The gateway filters every line it gets again: a collector
   * that does not know filtered reads answers all its lines.
   */
  private Future<Page> scan(JsonObject container, LogQuery q, long after, long through, Found found, int scanned) {
    return scan(container, q, after, through, found, scanned, null);
  }

  /**
   * {@link #scan}, given the collectors' answer for the stretch after {@code after} when it was asked already
   * ({@code asked}). A text search or a plain read asks for the stretch after this one before it has this one's
   * answer, so collector threads decode and scan while the gateway takes the lines of the first; an answer that
   * stopped short of its stretch (the page filled up, or a hole) makes the next one moot (it is read afresh from
   * where the answer stopped).
   */
  private Future<Page> scan(JsonObject container, LogQuery q, long after, long through, Found found, int scanned,
      Stretch asked) {
    if (after >= through) return Future.succeededFuture(new Page(found, after, false));
    TextFilter pushed = q.until == null ? q.filter : null;
    // a plain read looks at no line it does not answer: its page is bounded by the limit and the bytes alone
    int budget = pushed != null ? FILTERED_SCAN_BUDGET : plain(q) ? Integer.MAX_VALUE : SCAN_BUDGET;
    Stretch stretch = asked != null ? asked : ask(container, q, after, through, found, budget - scanned, pushed);
    // a text search not for its first stretch (a page that one stretch fills, a small limit, costs no scan
    // beyond it); a plain read unless this stretch fills the page
    boolean next = pushed != null ? scanned > 0 : plain(q) && found.count + stretch.lines() < q.limit;
    Stretch ahead = next && stretch.end < through && scanned + stretch.lines() < budget
        ? ask(container, q, stretch.end, through, found, budget - scanned - stretch.lines(), pushed) : null;
    return stretch.answer.compose(lines -> {
      if (scanned == 0 && lines.through() > after && lines.from() > after + 1) {
        found.skipped = new long[] {after + 1, lines.from() - 1};
      }
      long last = after;
      for (StoredLine l : lines.lines()) {
        if (q.pastUntil(l) || l.seq() > through) return Future.succeededFuture(new Page(found, last, false));
        last = l.seq();
        if (q.matches(l) && (found.addAndFull(l) || found.count == q.limit)) {
          return Future.succeededFuture(new Page(found, last, true));
        }
      }
      if (lines.through() <= after) return Future.succeededFuture(new Page(found, after, false));
      int total = (int) Math.min(budget, scanned + (lines.through() - after));
      if (total >= budget) return Future.succeededFuture(new Page(found, lines.through(), true));
      return scan(container, q, lines.through(), through, found, total, ahead != null && lines.through() == stretch.end ? ahead : null);
    });
  }

  /** Seqs {@code after+1 .. end} asked of the collectors, and their answer to come. */
  private record Stretch(long after, long end, Future<ClusterView.Scan> answer) {
    int lines() { return (int) (end - after); }
  }

  /**
   * Asks the collectors for the lines after {@code after}: a text search a stretch of {@link #searchStretch} lines
   * scanned at a time, a plain read {@link #readStretch} lines.
   */
  private Stretch ask(JsonObject container, LogQuery q, long after, long through, Found found, int budgetLeft,
      TextFilter pushed) {
    int want = pushed != null || plain(q) ? q.limit - found.count : PAGE;
    want = (int) Math.max(1, Math.min(want, through - after));
    int maxScan = (int) Math.min(budgetLeft, through - after);
    if (pushed != null) maxScan = Math.min(maxScan, searchStretch);
    if (pushed == null && plain(q)) want = Math.min(want, readStretch);
    long end = after + (pushed != null ? maxScan : want);
    return new Stretch(after, end, view.scan(container, after, want, pushed, maxScan));
  }

  /** Whether every line read is an answer's line (no filter): a stretch of N lines is then N lines of the page. */
  private static boolean plain(LogQuery q) {
    return q.since == null && q.until == null && q.text == null && q.levels == null;
  }

  /** The seq to read after: {@code after}, or later for {@code tail} and {@code since}. */
  Future<Long> startAfter(JsonObject container, LogQuery q) {
    long lastSeq = container.getLong("lastSeq");
    if (q.tail != null) return Future.succeededFuture(Math.max(q.after, lastSeq - q.tail));
    if (q.since == null) return Future.succeededFuture(q.after);
    return firstAtOrAfter(container, q.since, q.after + 1, lastSeq + 1).map(first -> first - 1);
  }

  /** Bisection over [lo, hi): the first seq whose line is at or after {@code time} (hi when none is). */
  private Future<Long> firstAtOrAfter(JsonObject container, String time, long lo, long hi) {
    if (lo >= hi) return Future.succeededFuture(lo);
    long mid = lo + (hi - lo) / 2;
    return view.lines(container, mid - 1, 1).compose(lines -> {
      // a read that starts in a hole answers from the first line after it
      if (lines.isEmpty() || lines.get(0).time().compareTo(time) >= 0) {
        return firstAtOrAfter(container, time, lo, mid);
      }
      return firstAtOrAfter(container, time, lines.get(0).seq() + 1, hi);
    });
  }
}
