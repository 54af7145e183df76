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
}
