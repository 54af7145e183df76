package io.dockline.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostCheckTest {
  @Test
  void addressesAndLocalhostPassAndOtherNamesOnlyWhenListed() {
    HostCheck check = new HostCheck(List.of("logs.example.com", "Dockline.LAN."), "127.0.0.1");
    for (String ok : List.of("127.0.0.1", "10.0.0.21", "0.0.0.0", "[::1]", "::1", "[fe80::1%25eth0]", "localhost",
        "LOCALHOST.", "app.localhost", "logs.example.com", "LOGS.example.com.", "dockline.lan")) {
      assertTrue(check.accepts(ok), ok);
    }
    // a page's own name after DNS rebinding, and names merely like a listed one or an address
    for (String refused : List.of("evil.test", "example.com", "x.logs.example.com", "localhost.evil.test",
        "127.0.0.1.evil.test", "1.2.3", "256.1.1.1", "0x7f.1", "dockline")) {
      assertFalse(check.accepts(refused), refused);
    }
  }

  @Test
  void theBindNameCountsAndAStarTurnsTheCheckOff() {
    assertTrue(new HostCheck(List.of(), "gw.internal").accepts("gw.internal"));
    assertFalse(new HostCheck(List.of(), "gw.internal").accepts("evil.test"));
    assertTrue(new HostCheck(List.of("*"), "127.0.0.1").accepts("evil.test"));
  }
}
