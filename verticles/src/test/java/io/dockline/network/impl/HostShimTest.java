package io.dockline.network.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostShimTest {
  @Test
  void routesCoverTheRangeExactly() {
    assertEquals(List.of("10.252.0.10/31", "10.252.0.12/30", "10.252.0.16/28", "10.252.0.32/27", "10.252.0.64/26",
        "10.252.0.128/25", "10.252.1.0/24", "10.252.2.0/23", "10.252.4.0/23", "10.252.6.0/24", "10.252.7.0/25",
        "10.252.7.128/26", "10.252.7.192/29", "10.252.7.200/32"),
        HostShim.blocks(Ipv4.parse("10.252.0.10"), Ipv4.parse("10.252.7.200")));
    assertEquals(List.of("10.0.0.0/8"), HostShim.blocks(Ipv4.parse("10.0.0.0"), Ipv4.parse("10.255.255.255")));
    assertEquals(List.of("10.252.8.2/31", "10.252.8.4/31", "10.252.8.6/32"),
        HostShim.blocks(Ipv4.parse("10.252.8.2"), Ipv4.parse("10.252.8.6")));
  }
}
