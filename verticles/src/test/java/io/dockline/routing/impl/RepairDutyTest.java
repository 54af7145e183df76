package io.dockline.routing.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepairDutyTest {
  private static long hash(String s) {
    long h = 1125899906842597L;
    for (int i = 0; i < s.length(); i++) h = 31 * h + s.charAt(i);
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  @Test
  void everyStreamHasExactlyOneRouterAndTheyShareTheStreams() {
    List<String> routers = List.of("a", "b", "c", "d");
    int[] counts = new int[routers.size()];
    for (int s = 0; s < 4_000; s++) {
      int owners = 0;
      for (int r = 0; r < routers.size(); r++) {
        if (RepairDuty.mine("stream-" + s, routers.get(r), routers, RepairDutyTest::hash)) {
          owners++;
          counts[r]++;
        }
      }
      assertEquals(1, owners, "stream-" + s);
    }
    for (int c : counts) assertTrue(c > 700 && c < 1300, java.util.Arrays.toString(counts));
  }

  @Test
  void aRouterLeavingMovesOnlyItsOwnStreams() {
    List<String> four = List.of("a", "b", "c", "d");
    List<String> three = new ArrayList<>(List.of("a", "b", "c"));
    for (int s = 0; s < 2_000; s++) {
      String stream = "stream-" + s;
      for (String r : three) {
        if (RepairDuty.mine(stream, r, four, RepairDutyTest::hash)) {
          assertTrue(RepairDuty.mine(stream, r, three, RepairDutyTest::hash), stream + " left " + r);
        }
      }
    }
  }

  @Test
  void aRouterNotYetListedStillCountsItself() {
    int mine = 0;
    for (int s = 0; s < 1_000; s++) if (RepairDuty.mine("stream-" + s, "new", List.of("a"), RepairDutyTest::hash)) mine++;
    assertTrue(mine > 350 && mine < 650, "of 1000: " + mine);
  }
}
