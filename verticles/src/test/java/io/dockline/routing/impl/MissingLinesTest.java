package io.dockline.routing.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MissingLinesTest {
  private static List<String> missing(List<long[]> source, List<long[]> target, long through) {
    List<String> out = new ArrayList<>();
    for (long[] r : MissingLines.of(source, target, through)) out.add(r[0] + ".." + r[1]);
    return out;
  }

  private static long[] run(long first, long last) {
    return new long[] {first, last};
  }

  @Test
  void aReplicaNewToTheStreamLacksTheBeginning() {
    assertEquals(List.of("1..800"), missing(List.of(run(1, 2500)), List.of(run(801, 2500)), 2500));
  }

  @Test
  void aReplicaThatLeftTheSetAndCameBackLacksTheMiddle() {
    assertEquals(List.of("301..800"), missing(List.of(run(1, 2500)), List.of(run(1, 300), run(801, 2500)), 2500));
    assertEquals(List.of("1..99", "301..800"),
        missing(List.of(run(1, 2500)), List.of(run(100, 300), run(801, 2500)), 2500));
  }

  @Test
  void onlyWhatTheSourceHoldsAndNotPastTheTargetsLastSeq() {
    assertEquals(List.of("1..50", "201..250"),
        missing(List.of(run(1, 50), run(201, 400)), List.of(run(251, 300)), 250));
    assertEquals(List.of(), missing(List.of(run(1, 100)), List.of(run(1, 100)), 100));
    assertEquals(List.of(), missing(List.of(), List.of(run(1, 100)), 100));
    assertEquals(3 + 10, MissingLines.count(List.of(run(1, 3), run(11, 20))));
  }
}
