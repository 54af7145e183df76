package io.dockline.routing;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoundedLoadRingTest {
  private static final List<String> THREE = List.of("c1", "c2", "c3");

  /** n streams, stream i writing 1e6 / (i+1) bytes per second (a Zipf law), ids in random order. */
  private static Map<String, Double> zipf(int n, long seed) {
    Random r = new Random(seed);
    Map<String, Double> loads = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) loads.put(Long.toHexString(r.nextLong()) + i, 1e6 / (i + 1));
    return loads;
  }

  @Test
  void noCollectorGoesAboveTheBoundWhenOneStreamFitsUnderIt() {
    for (long seed = 0; seed < 20; seed++) {
      Map<String, Double> loads = zipf(200, seed);
      BoundedLoadRing ring = BoundedLoadRing.build(THREE, loads, 0.25);
      double total = 0;
      for (String c : THREE) total += ring.load(c);
      for (String c : THREE) {
        assertTrue(ring.load(c) <= 1.25 * total / 3 + 1e-6, "seed " + seed + ": " + c + " at " + ring.load(c)
            + " over a mean of " + total / 3);
      }
      for (String s : loads.keySet()) assertTrue(THREE.contains(ring.owner(s)));
    }
  }

  @Test
  void everyRouterReachesTheSameAssignmentWhateverTheOrderItReadItsInputsIn() {
    Map<String, Double> loads = zipf(300, 7);
    List<String> keys = new ArrayList<>(loads.keySet());
    java.util.Collections.shuffle(keys, new Random(3));
    Map<String, Double> shuffled = new HashMap<>();
    for (String k : keys) shuffled.put(k, loads.get(k));
    BoundedLoadRing a = BoundedLoadRing.build(THREE, loads, 0.25);
    BoundedLoadRing b = BoundedLoadRing.build(List.of("c3", "c1", "c2"), shuffled, 0.25);
    for (String s : loads.keySet()) assertEquals(a.owner(s), b.owner(s), s);
    assertEquals(a.owner("not-measured-yet"), b.owner("not-measured-yet"));
  }

  @Test
  void aJoinMovesStreamsOnlyToTheNewCollectorAndAboutOneInN() {
    Map<String, Double> loads = zipf(200, 11);
    BoundedLoadRing before = BoundedLoadRing.build(THREE, loads, 0.25);
    BoundedLoadRing after = BoundedLoadRing.build(List.of("c1", "c2", "c3", "c4"), loads, 0.25);
    int moved = 0;
    int toNew = 0;
    for (String s : loads.keySet()) {
      if (!before.owner(s).equals(after.owner(s))) {
        moved++;
        if (after.owner(s).equals("c4")) toNew++;
      }
    }
    assertTrue(moved <= 0.4 * loads.size(), "moved " + moved);
    assertTrue(toNew >= moved * 0.6, toNew + " of " + moved + " moves go to the new collector");
    assertTrue(after.streamCount("c4") > 0);
  }

  @Test
  void silentStreamsAreSpreadByCount() {
    Map<String, Double> loads = new HashMap<>();
    for (int i = 0; i < 300; i++) loads.put("idle-" + i, 0.0);
    BoundedLoadRing ring = BoundedLoadRing.build(THREE, loads, 0.25);
    for (String c : THREE) assertTrue(ring.streamCount(c) <= 125, c + " has " + ring.streamCount(c));
  }

  @Test
  void aStreamHeavierThanTheBoundStillHasAnOwnerAndNoRingHasNone() {
    BoundedLoadRing ring = BoundedLoadRing.build(THREE, Map.of("loud", 1e9, "quiet", 1.0), 0.25);
    assertNotNull(ring.owner("loud"));
    assertNotEquals(ring.owner("loud"), ring.owner("quiet"));
    assertNull(BoundedLoadRing.build(List.of(), Map.of("x", 1.0), 0.25).owner("x"));
    assertThrows(IllegalArgumentException.class, () -> BoundedLoadRing.build(THREE, Map.of(), 0));
  }

  /** One quantization step of a published rate (StreamRates.quantize): 2^(1/4). */
  private static final double STEP = Math.pow(2, 0.25);
  private static final List<String> FOUR = List.of("c1", "c2", "c3", "c4");

  private static int moved(BoundedLoadRing a, BoundedLoadRing b, Iterable<String> streams) {
    int moved = 0;
    for (String s : streams) if (!a.owner(s).equals(b.owner(s))) moved++;
    return moved;
  }

  /** The busiest collector's load over the bound, were every stream to stay on its collector in {@code ring}. */
  private static double busiestOverBound(BoundedLoadRing ring, Map<String, Double> loads, double epsilon) {
    Map<String, Double> by = new HashMap<>();
    double total = 0;
    for (Map.Entry<String, Double> e : loads.entrySet()) {
      double w = BoundedLoadRing.LOAD_FLOOR + e.getValue();
      by.merge(ring.owner(e.getKey()), w, Double::sum);
      total += w;
    }
    double bound = (1 + epsilon) * total / ring.members().size();
    return by.values().stream().mapToDouble(Double::doubleValue).max().orElse(0) / bound;
  }

  @Test
  void aRateThatStepsWithinTheBandMovesNothingNotEvenWhatAJoinMoved() {
    int steps = 0;
    for (long seed = 0; seed < 20; seed++) {
      Map<String, Double> loads = zipf(200, seed);
      // the state after a join: what the join moved to c4 is published as being there
      BoundedLoadRing joined = BoundedLoadRing.build(FOUR, loads, BoundedLoadRing.build(THREE, loads, 0.25)
          .assignments(), 0.25);
      List<String> ids = new ArrayList<>(loads.keySet());
      Random r = new Random(seed);
      for (int i = 0; i < 20; i++) {
        Map<String, Double> stepped = new HashMap<>(loads);
        String s = ids.get(r.nextInt(ids.size()));
        stepped.put(s, loads.get(s) * (r.nextBoolean() ? STEP : 1 / STEP));
        if (busiestOverBound(joined, stepped, 0.25) > 1) continue; // not within the band: see the next test
        steps++;
        BoundedLoadRing next = BoundedLoadRing.build(FOUR, stepped, joined.assignments(), 0.25);
        assertEquals(0, moved(joined, next, loads.keySet()), "seed " + seed + ": " + s + " stepped");
      }
    }
    assertTrue(steps > 300, "only " + steps + " steps stayed within the band");
  }

  @Test
  void aCollectorClearlyAboveTheBoundHandsStreamsOverDownToTheFillLevel() {
    Map<String, Double> loads = new HashMap<>();
    for (int i = 0; i < 30; i++) loads.put("s" + i, 1000.0);
    BoundedLoadRing before = BoundedLoadRing.build(THREE, loads, 0.25);
    // one collector's streams grow fivefold: it is far above the bound
    String hot = "c1";
    Map<String, Double> grown = new HashMap<>(loads);
    for (String s : loads.keySet()) if (before.owner(s).equals(hot)) grown.put(s, 5000.0);
    assertTrue(busiestOverBound(before, grown, 0.25) > 1.2);
    BoundedLoadRing after = BoundedLoadRing.build(THREE, grown, before.assignments(), 0.25);
    double total = 0;
    for (String c : THREE) total += after.load(c);
    for (String c : THREE) assertTrue(after.load(c) <= after.capacity() + 1e-6, c + " at " + after.load(c));
    assertTrue(after.load(hot) <= (1 + 0.25 / 2) * total / 3 + 1e-6, "down to the fill level: " + after.load(hot));
    for (String s : loads.keySet()) {
      if (!before.owner(s).equals(after.owner(s))) assertEquals(hot, before.owner(s), s + " moved off a collector within the bound");
    }
    assertTrue(moved(before, after, loads.keySet()) > 0);
  }

  @Test
  void routersReadingTheSamePublishedStateAgreeWhateverTheirOrder() {
    for (long seed = 0; seed < 10; seed++) {
      Map<String, Double> loads = zipf(200, seed);
      Map<String, String> published = BoundedLoadRing.build(THREE, loads, 0.25).assignments();
      Map<String, Double> stepped = new HashMap<>();
      Random r = new Random(seed);
      loads.forEach((s, l) -> stepped.put(s, r.nextInt(4) == 0 ? l * STEP * STEP * STEP : l));
      List<String> keys = new ArrayList<>(published.keySet());
      java.util.Collections.shuffle(keys, r);
      Map<String, String> publishedShuffled = new LinkedHashMap<>();
      for (String k : keys) publishedShuffled.put(k, published.get(k));
      BoundedLoadRing a = BoundedLoadRing.build(FOUR, stepped, published, 0.25);
      BoundedLoadRing b = BoundedLoadRing.build(List.of("c4", "c2", "c1", "c3"), new LinkedHashMap<>(stepped),
          publishedShuffled, 0.25);
      for (String s : loads.keySet()) assertEquals(a.owner(s), b.owner(s), "seed " + seed + ": " + s);
      assertEquals(a.owner("not-measured-yet"), b.owner("not-measured-yet"));
      // and what they agree on is a fixed point: built again from it, nothing moves
      assertEquals(0, moved(a, BoundedLoadRing.build(FOUR, stepped, a.assignments(), 0.25), loads.keySet()));
    }
  }

  @Test
  void aReplicaSetIsTheOwnerThenDistinctCollectorsAndTheSameOnEveryRouter() {
    Map<String, Double> loads = zipf(100, 7);
    BoundedLoadRing a = BoundedLoadRing.build(THREE, loads, 0.25);
    BoundedLoadRing b = BoundedLoadRing.build(List.of("c3", "c2", "c1"), new HashMap<>(loads), 0.25);
    for (String s : loads.keySet()) {
      List<String> set = a.replicas(s, 2);
      assertEquals(2, set.size(), s);
      assertEquals(a.owner(s), set.get(0), "the owner leads the set");
      assertNotEquals(set.get(0), set.get(1));
      assertEquals(set, b.replicas(s, 2), "every router computes the same set");
      assertEquals(3, a.replicas(s, 5).size(), "at most the ready collectors");
      assertEquals(List.of(a.owner(s)), a.replicas(s, 1), "factor 1: the owner alone");
    }
    assertEquals(List.of(), BoundedLoadRing.build(List.of(), loads, 0.25).replicas("x", 2));
  }

  @Test
  void whenAReplicaLeavesTheSurvivorStaysInTheSet() {
    Map<String, Double> loads = zipf(60, 3);
    BoundedLoadRing before = BoundedLoadRing.build(THREE, loads, 0.25);
    for (String gone : THREE) {
      List<String> left = new ArrayList<>(THREE);
      left.remove(gone);
      BoundedLoadRing after = BoundedLoadRing.build(left, loads, before.assignments(), 0.25);
      for (String s : loads.keySet()) {
        List<String> survivors = new ArrayList<>(before.replicas(s, 2));
        survivors.remove(gone);
        assertTrue(after.replicas(s, 2).containsAll(survivors), s + ": " + before.replicas(s, 2) + " then "
            + after.replicas(s, 2) + " without " + gone);
      }
    }
  }
}
