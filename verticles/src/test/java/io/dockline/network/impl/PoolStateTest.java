package io.dockline.network.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.network.NetworkSpec;
import io.dockline.wire.Addresses;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PoolStateTest {
  private static PoolState pool(String range, String... exclude) {
    JsonObject j = new JsonObject().put("name", "lan").put("parent", "eth0").put("subnet", "10.252.0.0/24")
        .put("gateway", "10.252.0.1").put("range", range).put("exclude", new io.vertx.core.json.JsonArray(List.of(exclude)));
    return new PoolState(new PoolDefinition(NetworkSpec.parse(j)));
  }

  private static Lease ok(IpamResult r) {
    assertFalse(r.failed(), () -> r.message());
    return r.lease();
  }

  @Test
  void sameKeyTwiceGetsTheSameAddress() {
    PoolState p = pool("10.252.0.10-10.252.0.20");
    Lease a = ok(p.allocate("c1", null, false, "h1", Lease.KIND_CONTAINER, 1000, 1));
    IpamResult again = p.allocate("c1", null, false, "h1", Lease.KIND_CONTAINER, 1000, 2);
    assertEquals(a.ip(), ok(again).ip());
    assertTrue(again.existing());
    assertEquals("h1", again.lease().owner());
    assertEquals("02:42:0a:fc:00:0a", a.mac());
    assertEquals(1, p.leases().size());
  }

  @Test
  void badRequestsChangeNothing() {
    PoolState p = pool("10.252.0.10-10.252.0.12", "10.252.0.11");
    ok(p.allocate("c1", "10.252.0.10", true, "h1", Lease.KIND_API, 1000, 1));
    assertEquals(Addresses.IPAM_BAD_REQUEST, p.allocate("c2", "10.252.0.50", true, "h1", "api", 1000, 1).code());
    assertEquals(Addresses.IPAM_BAD_REQUEST, p.allocate("c2", "10.252.1.5", true, "h1", "api", 1000, 1).code());
    assertEquals(Addresses.IPAM_BAD_REQUEST, p.allocate("c2", "10.252.0.11", true, "h1", "api", 1000, 1).code());
    assertEquals(Addresses.IPAM_BAD_REQUEST, p.allocate("c2", "10.252.0", true, "h1", "api", 1000, 1).code());
    IpamResult taken = p.allocate("c2", "10.252.0.10", true, "h1", "api", 1000, 1);
    assertEquals(Addresses.IPAM_TAKEN, taken.code());
    assertTrue(taken.message().contains("taken by c1 on h1"), taken.message());
    assertEquals(Addresses.IPAM_TAKEN, p.allocate("c1", "10.252.0.12", true, "h1", "api", 1000, 1).code());
    assertEquals(1, p.leases().size());
    ok(p.allocate("c2", null, false, "h1", "api", 1000, 1));
    IpamResult full = p.allocate("c3", null, false, "h1", "api", 1000, 1);
    assertEquals(Addresses.IPAM_EXHAUSTED, full.code());
    assertTrue(full.message().contains("all 2 addresses"), full.message());
    assertEquals(2, p.leases().size());
    assertEquals(0, p.free());
  }

  @Test
  void preferredAddressFallsBackWhenTaken() {
    PoolState p = pool("10.252.0.10-10.252.0.20");
    ok(p.allocate("c1", "10.252.0.15", true, "h1", "api", 1000, 1));
    Lease l = ok(p.allocate("c2", "10.252.0.15", false, "h2", "container", 1000, 1));
    assertNotEquals("10.252.0.15", l.ip());
    assertEquals("10.252.0.11", ok(p.allocate("c3", "10.252.0.2", false, "h2", "container", 1000, 1)).ip(),
        "an address outside the range is not kept");
  }

  @Test
  void aLeaseNeverChangesOwnerOrKind() {
    PoolState p = pool("10.252.0.10-10.252.0.20");
    Lease c = ok(p.allocate("c1", null, false, "h1", Lease.KIND_CONTAINER, 1000, 1));
    for (String[] asker : new String[][] {{"h2", Lease.KIND_CONTAINER}, {"h1", Lease.KIND_API}, {"h2", Lease.KIND_API}}) {
      IpamResult r = p.allocate("c1", null, false, asker[0], asker[1], 1000, 5);
      assertEquals(Addresses.IPAM_TAKEN, r.code(), String.join("/", asker));
      assertEquals("the lease of c1 on lan belongs to h1 (container lease): only its owner renews or moves it",
          r.message());
    }
    assertEquals(Addresses.IPAM_TAKEN, p.allocate("c1", "10.252.0.15", true, "h2", Lease.KIND_CONTAINER, 1000, 5).code());
    Lease now = p.leases().get(0);
    assertEquals(c.ip(), now.ip());
    assertEquals("h1", now.owner());
    assertEquals(1, now.renewedAt, "not renewed by anyone else");
    // an API lease asked for again through another member is answered as it is
    Lease api = ok(p.allocate("k", null, false, "h1", Lease.KIND_API, 1000, 1));
    IpamResult again = p.allocate("k", null, false, "h2", Lease.KIND_API, 1000, 7);
    assertEquals(api.ip(), ok(again).ip());
    assertEquals("h1", again.lease().owner());
    assertEquals(1, again.lease().renewedAt);
    // renewal goes by owner: h2 renews nothing of h1's, which expires when h1 is gone
    p.renew("h2", 1000, 1500);
    assertEquals(2, p.expire(1002).leases().size());
  }

  @Test
  void releaseOnlyByItsKeyAndOwner() {
    PoolState p = pool("10.252.0.10-10.252.0.20");
    Lease a = ok(p.allocate("c1", null, false, "h1", "container", 1000, 1));
    assertEquals(Addresses.IPAM_TAKEN, p.release("c1", "h2", null).code(), "another member cannot free it");
    assertEquals(Addresses.IPAM_UNKNOWN, p.release("c9", null, null).code());
    assertEquals(a.ip(), ok(p.release("c1", "h1", "container")).ip());
    assertTrue(p.leases().isEmpty());
  }

  @Test
  void leasesOfALostOwnerExpireOnlyAfterTheirHoldTime() {
    PoolState p = pool("10.252.0.10-10.252.0.20");
    ok(p.allocate("a", null, false, "h1", "container", 1000, 0));
    ok(p.allocate("b", null, false, "h2", "container", 1000, 0));
    p.renew("h1", 1000, 900);
    assertTrue(p.expire(1000).leases().isEmpty(), "nothing before the hold time");
    List<Lease> gone = p.expire(1001).leases();
    assertEquals(1, gone.size());
    assertEquals("b", gone.get(0).key());
    assertEquals(1, p.leases().size());
    assertEquals(1, p.expire(1901).leases().size());
  }

  @Test
  void noDuplicateAcrossTheWholeRangeAndFreedAddressesAreReusedLast() {
    PoolState p = pool("10.252.0.2-10.252.0.254");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 253; i++) assertTrue(seen.add(ok(p.allocate("k" + i, null, false, "h", "api", 1, 0)).ip()));
    assertEquals(Addresses.IPAM_EXHAUSTED, p.allocate("x", null, false, "h", "api", 1, 0).code());
    String freed = ok(p.release("k5", null, null)).ip();
    assertEquals(freed, ok(p.allocate("x", null, false, "h", "api", 1, 0)).ip());
    PoolState q = pool("10.252.0.10-10.252.0.20");
    String first = ok(q.allocate("a", null, false, "h", "api", 1, 0)).ip();
    ok(q.release("a", null, null));
    assertNotEquals(first, ok(q.allocate("b", null, false, "h", "api", 1, 0)).ip(), "round the range first");
  }

  @Test
  void specErrorsNameTheNetworkAndTheProblem() {
    JsonObject base = new JsonObject().put("name", "lan").put("parent", "eth0").put("subnet", "10.252.0.0/24");
    NetworkSpec s = NetworkSpec.parse(base);
    assertEquals("10.252.0.1", Ipv4.format(s.gateway()));
    assertEquals(253, new PoolDefinition(s).size());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.parse(base.copy().put("range", "10.252.0.10-10.252.1.5")));
    assertEquals("network 'lan': range '10.252.0.10-10.252.1.5' must lie inside 10.252.0.0/24 without its network "
        + "and broadcast address", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(base.copy().put("subnet", "10.252.0.1/24")));
    assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(base.copy().put("paren", "x")));
    assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.parse(base.copy().put("range", "10.252.0.10-10.252.0.100").put("dockerRange", "10.252.0.96/28")));
    assertEquals("eth0.20", NetworkSpec.parse(base.copy().put("vlan", 20)).dockerParent());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parseAll(List.of(base,
        base.copy().put("name", "other").put("subnet", "10.253.0.0/24"))));
    assertEquals("network 'other': parent eth0 already used", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(base.copy().put("ipv6", "fd00::/64")));
    assertEquals("network 'lan': IPv6 pools are not supported yet (remove \"ipv6\")", e.getMessage());
  }
}
