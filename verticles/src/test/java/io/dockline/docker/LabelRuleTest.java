package io.dockline.docker;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelRuleTest {
  @Test
  void aKeyMatchesAnyValueAndKeyValueOnlyThatValue() {
    Map<String, String> labels = Map.of("tier", "front", "empty", "");
    assertTrue(LabelRule.parse("tier").matches(labels));
    assertTrue(LabelRule.parse("tier=front").matches(labels));
    assertFalse(LabelRule.parse("tier=back").matches(labels));
    assertTrue(LabelRule.parse("empty=").matches(labels), "key= asks for the empty value");
    assertFalse(LabelRule.parse("team").matches(labels));
    assertEquals(new LabelRule("a", "b=c"), LabelRule.parse(" a=b=c "), "the value runs to the end, trimmed");
  }

  @Test
  void listsSkipBlanksAndRulesWithoutAKeyAreRefused() {
    assertEquals(List.of(new LabelRule("a", null), new LabelRule("b", "1")), LabelRule.parseList("a, ,b=1,"));
    assertTrue(LabelRule.parseList("").isEmpty());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelRule.parseList("a,=x"));
    assertTrue(e.getMessage().contains("'=x'"), e.getMessage());
  }
}
