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
}
