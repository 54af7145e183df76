package io.dockline.routing.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatchUpPlanTest {
  private static List<long[]> runs(long... bounds) {
    List<long[]> r = new java.util.ArrayList<>();
    for (int i = 0; i < bounds.length; i += 2) r.add(new long[] {bounds[i], bounds[i + 1]});
    return r;
  }

  @Test
  void aHoleBelowTheLastSeqIsBackfilled() {
    CatchUpPlan p = CatchUpPlan.of(Arrays.asList(runs(1, 500, 3101, 4000), runs(1, 4000)), false, 3900);
    assertTrue(p.lacking());
    assertEquals(1, p.copies().size());
    CatchUpPlan.Copy c = p.copies().get(0);
    assertEquals(1, c.source());
    assertEquals(0, c.target());
    assertFalse(c.asWrites());
    assertArrayEquals(new long[] {501, 3100}, c.runs().get(0));
    assertEquals(4000, p.highest());
  }

  @Test
  void anEmptyReplicaGetsEveryLineAsWrites() {
    CatchUpPlan p = CatchUpPlan.of(Arrays.asList(runs(), runs(1, 3000)), true, 0);
    assertTrue(p.lacking());
    assertTrue(p.copies().get(0).asWrites());
    assertArrayEquals(new long[] {1, 3000}, p.copies().get(0).runs().get(0));
  }

  @Test
  void aReplicaBehindOnTheFirstLookAtANewSetIsNotCalledWhole() {
    // c1 left the set at 500 and is back: whether 501.. come to it as writes is not known yet
    CatchUpPlan p = CatchUpPlan.of(Arrays.asList(runs(1, 500), runs(1, 3100)), true, 0);
    assertFalse(p.lacking());
    assertTrue(p.unproven());
    assertTrue(p.copies().isEmpty());
  }

  @Test
  void aReplicaBehindOnALiveStreamIsLeftToTheWrites() {
    CatchUpPlan p = CatchUpPlan.of(Arrays.asList(runs(1, 3000), runs(1, 3100)), false, 2900);
    assertFalse(p.lacking());
    assertFalse(p.unproven());
    assertTrue(p.copies().isEmpty());
  }

  @Test
  void aReplicaBehindOnAStreamThatStoppedGetsTheRestAsWrites() {
    CatchUpPlan p = CatchUpPlan.of(Arrays.asList(runs(1, 500), runs(1, 3100)), false, 3100);
    assertTrue(p.lacking());
    CatchUpPlan.Copy c = p.copies().get(0);
    assertTrue(c.asWrites());
    assertArrayEquals(new long[] {501, 3100}, c.runs().get(0));
  }

  @Test
  void wholeReplicasNeedNothingAndAnOlderCollectorIsLeftOut() {
    CatchUpPlan p = CatchUpPlan.of(Arrays.asList(runs(1, 3100), runs(1, 3100), null), true, 0);
    assertFalse(p.lacking());
    assertFalse(p.unproven());
    assertTrue(p.copies().isEmpty());
  }
}
