package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CollectorRegistryTest {
  private static final Map<String, JsonObject> ENTRIES = Map.of(
      "c1", CollectorRegistry.entry("c1", "m1"),
      "c2", CollectorRegistry.entry("c2", "m2"),
      "left", CollectorRegistry.entry("left", "m-gone"),
      "no-member", new JsonObject().put("node", "no-member").put("ready", true),
      "not-ready", CollectorRegistry.entry("not-ready", "m3").put("ready", false));

  @Test
  void onlyReadyEntriesOfCurrentMembersCount() {
    assertEquals(Set.of("c1", "c2"), CollectorRegistry.ready(ENTRIES, Set.of("m1", "m2", "m3", "m-router")));
  }

  @Test
  void anEntryWithoutAMemberIdIsNobodysAndIgnored() {
    // a process that joined the cluster, wrote it and left: nothing says who would answer at that address
    assertEquals(Set.of(), CollectorRegistry.ready(Map.of("ghost", new JsonObject().put("ready", true)), Set.of("m1")));
  }

  @Test
  void withoutAClusterEveryReadyEntryIsThisInstancesOwn() {
    assertEquals(Set.of("c1", "c2", "left", "no-member"), CollectorRegistry.ready(ENTRIES, null));
  }

  @Test
  void aCollectorShortOfDiskIsReadableButTakesNoWrites() {
    Map<String, JsonObject> entries = Map.of(
        "full", CollectorRegistry.entry("full", "m1", false, new JsonObject().put("freeBytes", 0)),
        "ok", CollectorRegistry.entry("ok", "m2", true, new JsonObject()),
        "older", new JsonObject().put("node", "older").put("ready", true).put("memberId", "m3"),
        "olderNotReady", new JsonObject().put("node", "olderNotReady").put("ready", false).put("memberId", "m4"));
    Set<String> members = Set.of("m1", "m2", "m3", "m4");
    assertEquals(Set.of("ok", "older"), CollectorRegistry.ready(entries, members));
    // an entry of an older collector (no "readable") is readable exactly when ready
    assertEquals(Set.of("full", "ok", "older"), CollectorRegistry.readable(entries, members));
  }

  @Test
  void theRingLeaderIsTheFirstLiveCollectorByNameThatCanLead() {
    Set<String> members = Set.of("m1", "m2", "m3");
    // "c0" left (its entry lives on until its TTL); "a-older" is of the release before (no ring format)
    Map<String, JsonObject> entries = Map.of(
        "c0", CollectorRegistry.entry("c0", "m-gone"),
        "a-older", new JsonObject().put("node", "a-older").put("ready", true).put("memberId", "m3"),
        "c2", CollectorRegistry.entry("c2", "m2"),
        "c1", CollectorRegistry.entry("c1", "m1", false, new JsonObject()));
    assertEquals("c1", CollectorRegistry.ringLeader(entries, members), "short of disk, still the leader");
    assertEquals(null, CollectorRegistry.ringLeader(Map.of("a-older", entries.get("a-older")), members));
  }
}
