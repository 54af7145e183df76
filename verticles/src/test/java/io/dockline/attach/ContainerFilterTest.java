package io.dockline.attach;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerFilterTest {
  private static final Map<String, String> WEB = Map.of("tier", "front", "team", "edge");

  @Test
  void everythingButTheOptOutAndTheAgentItselfByDefault() {
    ContainerFilter f = ContainerFilter.create("", "", "", "", "", "", "self");
    assertTrue(f.accepts("a", "/web-1", "nginx:1", WEB));
    assertFalse(f.accepts("b", "web-2", "nginx:1", Map.of(ContainerFilter.IGNORE_LABEL, "true")));
    assertTrue(f.accepts("c", "web-3", "nginx:1", Map.of(ContainerFilter.IGNORE_LABEL, "false")));
    assertFalse(f.accepts("self", "dockline", "dockline:1", Map.of()));
  }

  @Test
  void excludesWinOverIncludes() {
    ContainerFilter f = ContainerFilter.create("tier=front", "team=edge", "", "", "", "", null);
    assertFalse(f.accepts("a", "web", "nginx", WEB));
    assertTrue(f.accepts("b", "web", "nginx", Map.of("tier", "front")));
    assertFalse(f.accepts("c", "db", "pg", Map.of("tier", "back")), "includes set: a container must match one");
  }

  @Test
  void namesAndImagesMatchWhole() {
    ContainerFilter f = ContainerFilter.create("", "", "web-.*", "", "", ".*:debug", null);
    assertTrue(f.accepts("a", "/web-1", "nginx:1", Map.of()));
    assertFalse(f.accepts("b", "my-web-1", "nginx:1", Map.of()), "the whole name must match");
    assertFalse(f.accepts("c", "web-2", "nginx:debug", Map.of()));
    ContainerFilter byImage = ContainerFilter.create("", "", "", "", "busybox.*", "", null);
    assertTrue(byImage.accepts("d", "x", "busybox:1", Map.of()));
    assertFalse(byImage.accepts("e", "x", "alpine", Map.of()));
    ContainerFilter byKey = ContainerFilter.create("logs", "", "", "", "", "", null);
    assertTrue(byKey.accepts("f", "x", "y", Map.of("logs", "anything")));
  }

  @Test
  void aBadPatternNamesItsSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ContainerFilter.create("", "", "", "web-[", "", "", null));
    assertTrue(e.getMessage().contains("--exclude-names"), e.getMessage());
  }

  @Test
  void aLabelRuleWithoutAKeyNamesItsSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ContainerFilter.create("", "=x", "", "", "", "", null));
    assertTrue(e.getMessage().contains("--exclude-labels"), e.getMessage());
  }
}
