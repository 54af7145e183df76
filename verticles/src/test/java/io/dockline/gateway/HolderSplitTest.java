package io.dockline.gateway;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.FleetSearch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each seq of a container is read from one holder, one that has it whenever one does. */
class HolderSplitTest {
  private static JsonObject holder(String node, long first, long last, long lines) {
    return new JsonObject().put("node", node).put("firstSeq", first).put("lastSeq", last).put("lines", lines);
  }

  private static Map<String, List<FleetSearch.Part>> split(long toSeq, JsonObject... holders) {
    JsonObject c = new JsonObject().put("id", "c1").put("collectors", new JsonArray(List.of((Object[]) holders)));
    HolderSplit split = new HolderSplit();
    split.split(c, toSeq);
    return split.parts();
  }

  private static FleetSearch.Part part(long from, long to) {
    return new FleetSearch.Part("c1", from, to);
  }

  @Test
  void aReplicaIsReadOnceItsNewestLinesFromTheHolderOfTheNewest() {
    // alike but for a few lines: the first by name reads what it has, the holder of the newest the rest
    assertEquals(Map.of("a", List.of(part(1, 900)), "b", List.of(part(901, Long.MAX_VALUE))),
        split(Long.MAX_VALUE, holder("b", 1, 1000, 1000), holder("a", 1, 900, 900)));
    assertEquals(Map.of("a", List.of(part(1, 700))), split(700, holder("b", 1, 1000, 1000), holder("a", 1, 900, 900)));
  }

  @Test
  void replicasShareTheReading() {
    HolderSplit split = new HolderSplit();
    for (int i = 0; i < 20; i++) {
      JsonArray holders = new JsonArray().add(holder("n" + (i % 3), 1, 1000, 1000)).add(holder("n" + ((i + 1) % 3), 1, 1000, 1000));
      split.split(new JsonObject().put("id", "c" + i).put("collectors", holders), Long.MAX_VALUE);
    }
    Map<String, Integer> containers = new java.util.TreeMap<>();
    split.parts().forEach((node, parts) -> containers.put(node, parts.size()));
    assertEquals(20, containers.values().stream().mapToInt(Integer::intValue).sum(), "each container read once: " + containers);
    assertTrue(containers.values().stream().allMatch(n -> n >= 6 && n <= 7), "evenly: " + containers);
  }

  @Test
  void aMovedStreamIsSplitAtTheMove() {
    assertEquals(Map.of("old", List.of(part(1, 499)), "new", List.of(part(500, Long.MAX_VALUE))),
        split(Long.MAX_VALUE, holder("new", 500, 1000, 501), holder("old", 1, 499, 499)));
  }

  @Test
  void aHoleIsReadFromAHolderThatHasIt() {
    // "back" held 1..300 but not 101..200 (moved away and back); "mid" held 101..200
    assertTrue(HolderSplit.holed(holder("back", 1, 300, 200)));
    assertFalse(HolderSplit.holed(holder("mid", 101, 200, 100)));
    assertEquals(Map.of("mid", List.of(part(101, 200)), "back", List.of(part(1, 100), part(201, Long.MAX_VALUE))),
        split(Long.MAX_VALUE, holder("back", 1, 300, 200), holder("mid", 101, 200, 100)));
  }

  @Test
  void seqsNoOneHoldsAreAskedOfNoOne() {
    // retention deleted up to 99 everywhere
    assertEquals(Map.of("a", List.of(part(100, Long.MAX_VALUE))), split(Long.MAX_VALUE, holder("a", 100, 200, 101)));
    assertEquals(Map.of(), split(Long.MAX_VALUE, holder("a", 0, 0, 0)));
  }
}
