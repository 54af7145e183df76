package io.dockline.collector.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackfillPlanTest {
  private static List<String> parts(List<long[]> held, long purged, long last, long from, long to) {
    List<String> out = new ArrayList<>();
    for (long[] p : BackfillPlan.parts(held, purged, last, from, to)) out.add(p[0] + ".." + p[1]);
    return out;
  }

  @Test
  void takesOnlyTheHolesBelowTheLastSeq() {
    List<long[]> held = List.of(new long[] {101, 200}, new long[] {301, 400});
    assertEquals(List.of("1..100"), parts(held, 0, 400, 1, 150), "before the first held line");
    assertEquals(List.of("1..100", "201..300"), parts(held, 0, 400, 1, 450), "a hole between two ranges; not past 400");
    assertEquals(List.of(), parts(held, 0, 400, 120, 180), "all held");
    assertEquals(List.of("250..300"), parts(held, 0, 400, 250, 320));
    assertEquals(List.of("51..100"), parts(held, 50, 400, 1, 120), "a purge's lines stay deleted");
    assertEquals(List.of(), parts(List.of(), 0, 0, 1, 10), "an empty container takes nothing: appends start it");
  }
}
