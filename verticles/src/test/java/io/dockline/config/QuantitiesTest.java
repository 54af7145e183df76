package io.dockline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuantitiesTest {
  @Test
  void sizesTakeBinaryAndDecimalUnits() {
    assertEquals(4096, Quantities.bytes("4096", false));
    assertEquals(4096, Quantities.bytes("4KiB", false));
    assertEquals(4000, Quantities.bytes("4kb", false));
    assertEquals(512L << 20, Quantities.bytes("512 MiB", false));
    assertEquals(1_000_000_000L, Quantities.bytes("1G", false));
    assertEquals(2L << 40, Quantities.bytes("2TiB", false));
    assertEquals(Long.MAX_VALUE, Quantities.bytes("none", true));
    assertThrows(IllegalArgumentException.class, () -> Quantities.bytes("none", false));
    assertThrows(IllegalArgumentException.class, () -> Quantities.bytes("-1", false));
    assertThrows(IllegalArgumentException.class, () -> Quantities.bytes("9999999999TiB", false));
    assertThrows(IllegalArgumentException.class, () -> Quantities.bytes("1.5GiB", false));
  }

  @Test
  void durationsHaveOneUnitAndNoSpace() {
    assertEquals(Duration.ofMillis(250), Quantities.duration("250ms", false));
    assertEquals(Duration.ofDays(7), Quantities.duration("7d", false));
    assertNull(Quantities.duration("none", true));
    assertThrows(IllegalArgumentException.class, () -> Quantities.duration("10 m", false));
    assertThrows(IllegalArgumentException.class, () -> Quantities.duration("10", false));
  }

  @Test
  void freeDiskIsAPercentageOrASize() {
    assertEquals(5_000, Quantities.FreeDisk.parse("5%").of(100_000));
    assertEquals(500, Quantities.FreeDisk.parse("0.5%").of(100_000));
    assertEquals(5L << 30, Quantities.FreeDisk.parse("5GiB").of(1L << 40));
    assertEquals(0, Quantities.FreeDisk.parse("0").of(1L << 40));
    assertThrows(IllegalArgumentException.class, () -> Quantities.FreeDisk.parse("100%"));
    assertThrows(IllegalArgumentException.class, () -> Quantities.FreeDisk.parse("lots"));
  }
}
