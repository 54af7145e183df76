package io.dockline.routing;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublishedRingTest {
  private static final List<String> FIVE = List.of("c1", "c2", "c3", "c4", "c5");

  private static Map<String, Double> zipf(int n, long seed) {
    Random r = new Random(seed);
    Map<String, Double> loads = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) loads.put(Long.toHexString(r.nextLong()) + i, 1e6 / (i + 1));
    return loads;
  }

  private static Map<String, String> memberIds() {
    Map<String, String> ids = new HashMap<>();
    for (String c : FIVE) ids.put(c, "id-" + c);
    return ids;
  }

  /** The leader's ring as a router reads it: the header through JSON, and only some streams' owners. */
  private static BoundedLoadRing routerView(BoundedLoadRing leader, Iterable<String> own, Set<String> dead) {
    PublishedRing header = PublishedRing.fromJson(
        PublishedRing.of(7, "c1", "id-c1", leader, memberIds(), FIVE, List.of()).toJson());
    Map<String, String> owners = new HashMap<>();
    for (String s : own) owners.put(s, leader.assignments().get(s));
    return header.view(id -> !dead.contains(id), owners);
  }

  @Test
  void aRouterReadingItsOwnStreamsOwnersRoutesThemAsTheLeadersWholeRingDoes() {
    for (long seed = 0; seed < 10; seed++) {
      Map<String, Double> loads = zipf(400, seed);
      // a ring with history: built, then a collector joined, each stream starting where it was
      BoundedLoadRing first = BoundedLoadRing.build(FIVE.subList(0, 4), loads, 0.25);
      BoundedLoadRing leader = BoundedLoadRing.build(FIVE, loads, first.assignments(), 0.25);
      List<String> own = loads.keySet().stream().filter(s -> s.hashCode() % 20 == 0).toList();
      BoundedLoadRing view = routerView(leader, own, Set.of());
      for (String s : own) {
        assertEquals(leader.owner(s), view.owner(s), "seed " + seed + " owner of " + s);
        for (int factor = 1; factor <= 3; factor++) {
          assertEquals(leader.replicas(s, factor), view.replicas(s, factor), "seed " + seed + " replicas of " + s);
        }
      }
      for (String fresh : List.of("new-a", "new-b", "new-c")) {
        assertEquals(leader.owner(fresh), view.owner(fresh), "a stream not measured yet");
        assertEquals(leader.replicas(fresh, 2), view.replicas(fresh, 2));
      }
      for (String c : FIVE) assertEquals(leader.streamCount(c), view.streamCount(c), c);
    }
  }

  @Test
  void aCollectorThatLeftIsDroppedAtOnceBeforeTheLeaderPublishesAgain() {
    Map<String, Double> loads = zipf(200, 3);
    BoundedLoadRing leader = BoundedLoadRing.build(FIVE, loads, 0.25);
    List<String> onC3 = loads.keySet().stream().filter(s -> "c3".equals(leader.owner(s))).toList();
    assertFalse(onC3.isEmpty());
    BoundedLoadRing view = routerView(leader, loads.keySet(), Set.of("id-c3"));
    assertEquals(Set.of("c1", "c2", "c4", "c5"), view.members());
    for (String s : loads.keySet()) {
      assertNotEquals("c3", view.owner(s));
      assertFalse(view.replicas(s, 3).contains("c3"));
      if (!onC3.contains(s)) assertEquals(leader.owner(s), view.owner(s), "a stream of another collector stays");
    }
  }

  @Test
  void movesSinceAVersionAreTheirBucketsOrUnknown() {
    PublishedRing.Moves v5 = new PublishedRing.Moves(5, Set.of(1, 2));
    PublishedRing.Moves v6 = new PublishedRing.Moves(6, Set.of(3));
    PublishedRing.Moves v7all = new PublishedRing.Moves(7, null);
    PublishedRing at6 = ring(6, List.of(v5, v6));
    assertEquals(Set.of(), at6.movedSince(6));
    assertEquals(Set.of(3), at6.movedSince(5));
    assertEquals(Set.of(1, 2, 3), at6.movedSince(4));
    assertNull(at6.movedSince(3), "version 4's moves are no longer listed");
    assertNull(at6.movedSince(-1), "a router that never read owners reads them all");
    assertNull(ring(7, List.of(v5, v6, v7all)).movedSince(6), "too many moved to list");
    assertNull(ring(7, List.of(v5, v7all)).movedSince(4), "a version missing in between");
    // through JSON, as routers read it
    assertEquals(Set.of(1, 2, 3), PublishedRing.fromJson(at6.toJson()).movedSince(4));
    assertNull(PublishedRing.fromJson(ring(7, List.of(v5, v6, v7all)).toJson()).movedSince(6));
  }

  @Test
  void onlyTheLastFewVersionsMovesAreKeptAndTooManyBucketsAreAll() {
    List<PublishedRing.Moves> moves = List.of();
    for (long v = 1; v <= 20; v++) moves = PublishedRing.append(moves, new PublishedRing.Moves(v, Set.of()));
    assertEquals(PublishedRing.RECENT_MOVES, moves.size());
    assertEquals(20, moves.get(moves.size() - 1).version());
    List<String> many = zipf(5_000, 1).keySet().stream().toList();
    assertNull(PublishedRing.bucketsOf(many));
    assertEquals(Set.of(PublishedRing.bucket("a"), PublishedRing.bucket("b")), PublishedRing.bucketsOf(List.of("a", "b")));
  }

  @Test
  void aRingOfAnotherFormatOrNoneIsNotRead() {
    assertNull(PublishedRing.fromJson(null));
    assertNull(PublishedRing.fromJson(ring(1, List.of()).toJson().put("format", PublishedRing.FORMAT + 1)));
    assertNull(PublishedRing.fromJson(new JsonObject().put("version", 3)));
  }

  private static PublishedRing ring(long version, List<PublishedRing.Moves> moves) {
    return new PublishedRing(version, "c1", "id-c1", 0.25, 100, List.of(), List.of(), moves);
  }
}
