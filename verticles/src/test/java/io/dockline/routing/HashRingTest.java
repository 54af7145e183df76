package io.dockline.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashRingTest {
  private static List<String> keys(int n) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) keys.add(String.format("%064x", (long) i * 0x9E3779B97F4A7C15L));
    return keys;
  }

  @Test
  void emptyRingHasNoOwner() {
    assertNull(new HashRing(List.of()).owner("x"));
  }

  @Test
  void ownershipDoesNotDependOnMemberOrder() {
    HashRing a = new HashRing(List.of("c1", "c2", "c3"));
    HashRing b = new HashRing(List.of("c3", "c1", "c2"));
    for (String k : keys(1000)) assertEquals(a.owner(k), b.owner(k));
  }

  @Test
  void keysSpreadEvenlyEnough() {
    HashRing ring = new HashRing(List.of("c1", "c2", "c3", "c4"));
    Map<String, Integer> counts = new HashMap<>();
    for (String k : keys(40_000)) counts.merge(ring.owner(k), 1, Integer::sum);
    for (int c : counts.values()) assertTrue(c > 7_000 && c < 13_000, "count " + c + " of 40000 on 4 members");
  }

  @Test
  void addingAMemberMovesAboutOneNthAndOnlyToTheNewMember() {
    HashRing before = new HashRing(List.of("c1", "c2", "c3"));
    HashRing after = new HashRing(List.of("c1", "c2", "c3", "c4"));
    int moved = 0;
    List<String> ks = keys(20_000);
    for (String k : ks) {
      String o1 = before.owner(k);
      String o2 = after.owner(k);
      if (!o1.equals(o2)) {
        moved++;
        assertEquals("c4", o2, "a key only moves to the new member");
      }
    }
    double fraction = moved / (double) ks.size();
    assertTrue(fraction > 0.15 && fraction < 0.35, "moved fraction " + fraction);
  }
}
