package io.dockline.routing.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamRatesTest {
  private long now = 1_000_000;
  private final StreamRates rates = new StreamRates(() -> now);

  /** One second of a stream writing {@code bytes}, then a tick; returns the published bytes per second. */
  private double second(long bytes) {
    now += 1000;
    rates.record("s", 1, bytes);
    rates.tick();
    return rates.snapshot().get("s")[0];
  }

  @Test
  void aRateHoveringAtTheBorderOfTwoStepsKeepsOneStep() {
    // 139.6 B/s is where 128 and 152 meet; a stream writing 16 lines of 8 or 9 bytes a second wobbles across it
    Set<Double> published = new HashSet<>();
    for (int i = 0; i < 40; i++) published.add(second(i % 2 == 0 ? 131 : 148));
    assertEquals(1, published.size(), "published " + published);
    // without the stickiness the same rates are quantized to both sides of the border
    assertNotEquals(StreamRates.quantize(133), StreamRates.quantize(146));
  }

  @Test
  void aRateThatClearlyChangesIsPublishedAnew() {
    for (int i = 0; i < 10; i++) second(128);
    assertEquals(128, second(128));
    double after = 0;
    for (int i = 0; i < 10; i++) after = second(512);
    assertEquals(StreamRates.quantize(512), after);
    for (int i = 0; i < 10; i++) after = second(0);
    assertEquals(0, after);
  }
}
