package io.dockline.wire;

import io.vertx.core.json.JsonObject;

/**
 * The read protocol of a collector on {@link Addresses#collectorQuery(String)}: JSON requests
 * {@code {"op", ...}}, answered by JSON. One place for the ops, their fields and the failure codes of every
 * collector and router reply.
 *
 * <ul>
 *   <li>{@code last-seq} {@code {"containerId"}} → {@code {"lastSeq", "ranges"}} (0 when it holds nothing;
 *       {@code ranges}: the runs of seqs it holds, {@code [[first, last], ...]}, at most {@link #MAX_RANGES}, absent
 *       from a collector of a release before replication);</li>
 *   <li>{@code containers} → {@code [{"id", "name", "image", "host", "labels", "firstSeq", "lastSeq", "lines",
 *       "bytes", "collector"}]};</li>
 *   <li>{@code logs} {@code {"containerId", "after", "limit"}} → the lines after that seq, at most {@code limit}
 *       (a {@code LineBatch}). With {@code "text"} (and {@code "scan"}, the most lines to look at) a collector
 *       that knows the field answers a {@link LineMatches}: only the lines containing the text, at most
 *       {@code limit}, from a scan of at most {@code scan} lines (and at most {@link #MAX_SCAN_LINES}) that says
 *       where it stopped. A collector that does not know it ignores it and answers the unfiltered
 *       {@code LineBatch}: the type of the answer says whether it was filtered, and the asker filters what was not.</li>
 *   <li>{@code search} {@code {"parts": [[containerId, fromSeq, toSeq], ...], "since", "until" (epoch ns),
 *       "filter": {"stream", "levels", "text", "ignoreCase", "regex"}, "order": "asc"|"desc", "after" (a cursor),
 *       "limit", "scan", "maxBytes"}} → a {@link SearchPage}: the next matching lines in time order across the parts
 *       (the collector's {@code FleetSearch} says how). Failure {@link #BUSY} when the collector has too many queued.</li>
 *   <li>{@code stats} {@code {"parts", "since", "until", "filter" (as for search), "step" (ns), "by"}} → counts of
 *       the lines of those parts per group and time bucket (the collector's {@code FleetStats} says the form).</li>
 *   <li>{@code purge} {@code {"containerId", "throughSeq"}} or {@code {"containerId", "beforeMillis"}} → deletes the
 *       container's lines through that seq, or those stamped before that time, and answers {@code {"firstSeq",
 *       "deletedThrough"}} (firstSeq 0: nothing is left).</li>
 * </ul>
 */
public final class CollectorQuery {
  private CollectorQuery() {}

  public static final String OP = "op";
  public static final String LAST_SEQ = "last-seq";
  public static final String CONTAINERS = "containers";
  public static final String LOGS = "logs";
  public static final String PURGE = "purge";
  public static final String SEARCH = "search";
  public static final String STATS = "stats";
  /** The most lines, text bytes and parts one {@code search} answer or request carries. */
  public static final int MAX_SEARCH_LIMIT = 10_000;
  public static final int MAX_SEARCH_BYTES = 8 << 20;
  public static final int MAX_SEARCH_PARTS = 100_000;

  /** The most runs of seqs a {@code last-seq} answer lists. */
  public static final int MAX_RANGES = 1_000;
  /** Failure code: a malformed request or an unknown op. */
  public static final int BAD_REQUEST = 400;
  /** Failure code of a batch that starts after the collector's next expected seq ({@link BatchAck#GAP_FAILURE}). */
  public static final int GAP = BatchAck.GAP_FAILURE;
  /** Failure code of a batch not stored for lack of disk ({@link BatchAck#STORE_FULL_FAILURE}): send it later. */
  public static final int STORE_FULL = BatchAck.STORE_FULL_FAILURE;
  /** Failure code: the store failed or cannot be trusted (a failed fsync). */
  public static final int STORE_FAILED = 500;
  /** Failure code of a query refused because the collector has as many queued as it takes: ask again later. */
  public static final int BUSY = 429;
  /** Failure code of a router that has no ready collector. */
  public static final int NO_COLLECTOR = 503;

  public static JsonObject lastSeq(String containerId) {
    return new JsonObject().put(OP, LAST_SEQ).put("containerId", containerId);
  }

  public static JsonObject containers() {
    return new JsonObject().put(OP, CONTAINERS);
  }

  /** A purge through a seq ({@code beforeMillis} null) or of the lines before a time ({@code throughSeq} ignored). */
  public static JsonObject purge(String containerId, long throughSeq, Long beforeMillis) {
    JsonObject q = new JsonObject().put(OP, PURGE).put("containerId", containerId);
    return beforeMillis == null ? q.put("throughSeq", throughSeq) : q.put("beforeMillis", beforeMillis);
  }

  /** The most lines one filtered {@code logs} answer looks at, whatever {@code scan} asks. */
  public static final int MAX_SCAN_LINES = 1_000_000;
  /** Field of a filtered {@code logs} request: the text a line must contain (its UTF-8 bytes, as rendered). */
  public static final String TEXT = "text";
  /** Field of a filtered {@code logs} request: the most lines the scan looks at. */
  public static final String SCAN = "scan";

  public static JsonObject logs(String containerId, long after, int limit) {
    return new JsonObject().put(OP, LOGS).put("containerId", containerId).put("after", after).put("limit", limit);
  }

  /** Lines containing {@code text} among at most {@code scan} lines after {@code after}: see the class comment. */
  public static JsonObject logs(String containerId, long after, int limit, String text, int scan) {
    return logs(containerId, after, limit).put(TEXT, text).put(SCAN, scan);
  }
}
