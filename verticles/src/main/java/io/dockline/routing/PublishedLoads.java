package io.dockline.routing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The entries of {@link io.dockline.wire.Addresses#STREAM_LOAD_MAP} read together: every stream's load as its
 * router measured it, and the collector the stream is on (the ring's sticky state). The ring leader builds the
 * cluster's ring from them, and so does a router when no leader publishes one (a cluster of the release before).
 *
 * @param loads stream id to [bytes/s, lines/s]
 * @param placed stream id to the collector its router had it on
 */
public record PublishedLoads(Map<String, double[]> loads, Map<String, String> placed) {
  public static final PublishedLoads NONE = new PublishedLoads(Map.of(), Map.of());

  public static PublishedLoads of(Map<String, JsonObject> byRouter) {
    Map<String, double[]> loads = new HashMap<>();
    Map<String, String> placed = new HashMap<>();
    byRouter.values().forEach(byStream -> byStream.forEach(e -> {
      JsonArray a = (JsonArray) e.getValue();
      loads.put(e.getKey(), new double[] {a.getDouble(0), a.getDouble(1)});
      // [bytes/s, lines/s, collector]; a router of the release before replication publishes no collector
      if (a.size() > 2 && a.getString(2) != null) placed.put(e.getKey(), a.getString(2));
    }));
    return new PublishedLoads(loads, placed);
  }

  /** The bounded-load ring of these collectors over these loads, each stream kept where it is if it can be. */
  public BoundedLoadRing ring(Collection<String> ready, double epsilon) {
    Map<String, Double> bytesPerSecond = new HashMap<>();
    loads.forEach((id, l) -> bytesPerSecond.put(id, l[0]));
    return BoundedLoadRing.build(ready, bytesPerSecond, placed, epsilon);
  }

  /** Same placements and the same published byte rates (lines/s move no stream). */
  public boolean sameAs(PublishedLoads other) {
    if (!placed.equals(other.placed) || loads.size() != other.loads.size()) return false;
    for (Map.Entry<String, double[]> e : loads.entrySet()) {
      double[] o = other.loads.get(e.getKey());
      if (o == null || o[0] != e.getValue()[0]) return false;
    }
    return true;
  }
}
