package io.dockline.gateway;

import io.dockline.collector.FleetSearch;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which collector is asked for which of a container's seqs, so a line held by several (replicas, a stream moved
 * away and back) is read by one: the container's holders ({@link ClusterView}'s {@code collectors}: node,
 * firstSeq, lastSeq, lines) in turn, each taking the seqs of its range no earlier one took. A holder without
 * holes (its lines fill its range) goes before one with holes, and one whose range starts earlier first: a hole's
 * seqs then go to a holder that has them whenever one does. Of holders alike, the one given fewer seqs so far, so
 * replicas share the reading. Seqs past every range (stored since the listing) go to the holder of the newest.
 */
final class HolderSplit {
  private final Map<String, List<FleetSearch.Part>> parts = new LinkedHashMap<>();
  /** Seqs given to each node so far: of holders alike, the one with fewer reads, so replicas share the work. */
  private final Map<String, Long> load = new HashMap<>();

  /** Whether the holder's range has seqs it does not hold (a stream moved away and back, a damaged chunk). */
  static boolean holed(JsonObject holder) {
    long first = holder.getLong("firstSeq");
    return first > 0 && holder.getLong("lines", Long.MAX_VALUE) < holder.getLong("lastSeq") - first + 1;
  }

  /** The node's part of the seqs given so far (0 to 1). */
  double share(String node) {
    long total = load.values().stream().mapToLong(Long::longValue).sum();
    return total == 0 ? 1 : (double) load.getOrDefault(node, 0L) / total;
  }

  /** The parts given so far, by node. */
  Map<String, List<FleetSearch.Part>> parts() { return parts; }

  /** Splits the container's seqs {@code 1 .. toSeq} between its holders. */
  void split(JsonObject container, long toSeq) {
    List<JsonObject> holders = new ArrayList<>();
    for (Object h : container.getJsonArray("collectors")) {
      if (((JsonObject) h).getLong("firstSeq") > 0) holders.add((JsonObject) h);
    }
    holders.sort(Comparator.<JsonObject>comparingInt(h -> holed(h) ? 1 : 0)
        .thenComparingLong(h -> h.getLong("firstSeq"))
        .thenComparingLong(h -> load.getOrDefault(h.getString("node"), 0L)).thenComparing(h -> h.getString("node")));
    // seqs no holder has taken yet, as sorted disjoint [from, to] pairs
    List<long[]> left = new ArrayList<>(List.of(new long[] {1, toSeq}));
    String id = container.getString("id");
    // lines stored after the holders were listed go to the one holding the newest: the stream's collector now
    JsonObject newest = holders.stream().max(Comparator.comparingLong(h -> h.getLong("lastSeq"))).orElse(null);
    for (JsonObject h : holders) {
      long first = h.getLong("firstSeq");
      long last = h == newest ? Long.MAX_VALUE : h.getLong("lastSeq");
      List<long[]> rest = new ArrayList<>();
      for (long[] gap : left) {
        long from = Math.max(gap[0], first);
        long to = Math.min(gap[1], last);
        if (from > to) {
          rest.add(gap);
          continue;
        }
        parts.computeIfAbsent(h.getString("node"), k -> new ArrayList<>()).add(new FleetSearch.Part(id, from, to));
        load.merge(h.getString("node"), Math.min(to, h.getLong("lastSeq")) - from + 1, Long::sum);
        if (gap[0] < from) rest.add(new long[] {gap[0], from - 1});
        if (to < gap[1]) rest.add(new long[] {to + 1, gap[1]});
      }
      left = rest;
    }
  }

  /** Every holder asked for all of the container's seqs {@code 1 .. toSeq} (copies are merged by the asker). */
  void everyHolder(JsonObject container, long toSeq) {
    for (Object h : container.getJsonArray("collectors")) {
      JsonObject holder = (JsonObject) h;
      parts.computeIfAbsent(holder.getString("node"), k -> new ArrayList<>())
          .add(new FleetSearch.Part(container.getString("id"), 1, toSeq));
      load.merge(holder.getString("node"), holder.getLong("lines", 0L), Long::sum);
    }
  }
}
