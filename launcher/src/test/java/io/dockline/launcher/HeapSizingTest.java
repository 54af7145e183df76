package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeapSizingTest {
  @Test
  void noHeapBoundIsSaidWithTheAdvice() {
    String w = HeapSizing.warning(List.of("-Dfoo=bar", "-XX:+UseG1GC"), 6L << 30);
    assertTrue(w.contains("6144 MiB") && w.contains(HeapSizing.ADVICE), w);
  }

  @Test
  void anyHeapBoundIsTheOperatorsChoice() {
    for (String bound : List.of("-Xmx192m", "-XX:MaxHeapSize=200000000", "-XX:MaxRAMPercentage=5", "-XX:MaxRAM=1g")) {
      assertNull(HeapSizing.warning(List.of(bound), 1L << 30), bound);
    }
  }
}
