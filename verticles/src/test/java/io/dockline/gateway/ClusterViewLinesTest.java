package io.dockline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterViewLinesTest {
  @Test
  void replicasCountOnce() {
    // two replicas of seqs 1..1000 each count 1000
    assertEquals(1000, ClusterView.distinctLines(List.of(new long[] {1, 1000}, new long[] {1, 1000}), 2000));
  }

  @Test
  void aStreamMovedAwayAndBackCountsTheSeqsOnce() {
    // c1 held 1..100 and 201..300 (its span 1..300 counts 300), c2 held 101..200
    assertEquals(300, ClusterView.distinctLines(List.of(new long[] {1, 300}, new long[] {101, 200}), 400));
  }

  @Test
  void disjointCollectorsAddUpAndHolesBetweenThemDoNotCount() {
    assertEquals(150, ClusterView.distinctLines(List.of(new long[] {51, 100}, new long[] {1, 50}, new long[] {201, 250}), 150));
    // a collector counts fewer than its span (a damaged chunk): the count bounds it
    assertEquals(90, ClusterView.distinctLines(List.of(new long[] {1, 100}), 90));
  }
}
