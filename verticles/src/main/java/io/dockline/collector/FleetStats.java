package io.dockline.collector;

import io.dockline.wire.CollectorQuery;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.StreamKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One collector's part of a count across containers: lines and bytes of the asked parts ({@link FleetSearch.Part};
 * the asker gives each line to one collector) that the filters keep, per group ({@code by}: a container field,
 * a label, or the stream) and per time bucket of {@code step}. Only the counts leave the collector.
 *
 * <p>Reads the store only (any thread, {@link LogStore#walk}); run it on a worker, never on an event loop.
 */
public final class FleetStats {
  /** Buckets one answer holds at most, over all groups: a step too small for the range is refused. */
  public static final int MAX_BUCKETS = 200_000;
  public static final List<String> GROUPINGS = List.of("service", "project", "host", "image", "container", "stream");

  /** What a count asks: {@code by} one of {@link #GROUPINGS} or {@code label:KEY}. */
  public record Request(List<FleetSearch.Part> parts, long sinceNanos, long untilNanos, LinePredicate predicate,
                        long stepNanos, String by) {
    public Request {
      parts = List.copyOf(parts);
      if (stepNanos < 1_000_000L) throw new IllegalArgumentException("'step' must be at least 1ms");
      if (!GROUPINGS.contains(by) && !(by.startsWith("label:") && by.length() > 6)) {
        throw new IllegalArgumentException("'by' must be one of " + String.join(", ", GROUPINGS) + " or label:KEY");
      }
    }

    public JsonObject toJson() {
      return new JsonObject().put(CollectorQuery.OP, CollectorQuery.STATS).put("parts", FleetSearch.Request.partsJson(parts)).put("since", sinceNanos)
          .put("until", untilNanos).put("filter", predicate.toJson()).put("step", stepNanos).put("by", by);
    }

    /** @throws IllegalArgumentException when malformed */
    public static Request fromJson(JsonObject q) {
      try {
        return new Request(FleetSearch.Request.parts(q.getJsonArray("parts")), q.getLong("since", Long.MIN_VALUE),
            q.getLong("until", Long.MAX_VALUE), LinePredicate.fromJson(q.getJsonObject("filter", new JsonObject())),
            q.getLong("step"), q.getString("by"));
      } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
        throw new IllegalArgumentException("malformed stats request: " + e);
      }
    }
  }

  private FleetStats() {}

  /**
   * {@code {"groups": {key: {bucketStartNanos: [lines, bytes], ...}}}}: the key is the group's value ({@code ""}
   * for a container without it), buckets start at multiples of the step.
   * @throws IllegalArgumentException when the buckets would pass {@link #MAX_BUCKETS}
   */
  public static JsonObject run(LogStore store, Request r) throws IOException {
    Map<String, Map<Long, long[]>> groups = new HashMap<>();
    int[] buckets = {0};
    LinePredicate.Lines lines = r.predicate().lines();
    for (FleetSearch.Part part : r.parts()) {
      ContainerMeta meta = store.meta(part.containerId()).orElse(null);
      // one group for all the container's lines, but by stream
      Map<Long, long[]> fixed = r.by().equals("stream") ? null
          : groups.computeIfAbsent(groupOf(meta, part.containerId(), r.by()), k -> new TreeMap<>());
      for (LineSpan span : store.spans(part.containerId())) {
        if (!span.overlaps(part.fromSeq(), part.toSeq(), r.sinceNanos(), r.untilNanos())) continue;
        store.walk(part.containerId(), span, new LineVisitor() {
          /** The last bucket counted into, and its group: consecutive lines mostly share it. */
          private Map<Long, long[]> lastGroup;
          private long lastBucket;
          private long[] lastCounts;

          @Override
          public void text(byte[] data, int from, int to) {
            lines.text(data, from, to);
          }

          @Override
          public void line(long seq, long time, byte stream, byte flags, byte[] data, int offset, int length) {
            if (seq < part.fromSeq() || seq > part.toSeq() || time < r.sinceNanos() || time > r.untilNanos()) return;
            if (!lines.matches(stream, flags, data, offset, length)) return;
            Map<Long, long[]> g = fixed != null ? fixed
                : groups.computeIfAbsent(StreamKind.ofCode(stream).label(), k -> new TreeMap<>());
            long bucket = Math.floorDiv(time, r.stepNanos()) * r.stepNanos();
            long[] counts = g == lastGroup && bucket == lastBucket ? lastCounts : g.get(bucket);
            if (counts == null) {
              if (++buckets[0] > MAX_BUCKETS) {
                throw new IllegalArgumentException("more than " + MAX_BUCKETS + " buckets: use a larger step or a shorter range");
              }
              counts = new long[2];
              g.put(bucket, counts);
            }
            lastGroup = g;
            lastBucket = bucket;
            lastCounts = counts;
            counts[0]++;
            counts[1] += length;
          }
        });
      }
    }
    JsonObject out = new JsonObject();
    groups.forEach((key, g) -> {
      if (g.isEmpty()) return; // a container with no line in the range
      JsonObject b = new JsonObject();
      g.forEach((start, c) -> b.put(Long.toString(start), new JsonArray().add(c[0]).add(c[1])));
      out.put(key, b);
    });
    return new JsonObject().put("groups", out);
  }

  /** The group a container's lines fall in, by one of its fields or labels. */
  public static String groupOf(ContainerMeta meta, String containerId, String by) {
    if (by.equals("container")) return meta == null || meta.name() == null ? containerId : meta.name();
    if (meta == null) return "";
    String v;
    switch (by) {
      case "host": v = meta.host(); break;
      case "image": v = meta.image(); break;
      case "service": v = meta.labels().get(ContainerMeta.SERVICE_LABEL); break;
      case "project": v = meta.labels().get(ContainerMeta.PROJECT_LABEL); break;
      default: v = meta.labels().get(by.substring("label:".length()));
    }
    return v == null ? "" : v;
  }
}
