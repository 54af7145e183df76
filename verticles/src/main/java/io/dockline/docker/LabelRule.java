package io.dockline.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One label selector as operators write it: {@code key} (the label with any value) or {@code key=value} (that
 * value exactly). The one parser of label rules: the agent's include/exclude settings and the API's
 * {@code label} parameter both read them here.
 */
public record LabelRule(String key, String value) {
  /**
   * @throws IllegalArgumentException for a rule without a key ({@code =value} or empty)
   */
  public static LabelRule parse(String rule) {
    String t = rule.trim();
    int eq = t.indexOf('=');
    String key = eq < 0 ? t : t.substring(0, eq);
    if (key.isEmpty()) throw new IllegalArgumentException("a label rule needs a key: '" + rule + "'");
    return new LabelRule(key, eq < 0 ? null : t.substring(eq + 1));
  }

  /** Comma-separated rules, blanks skipped; empty for none. */
  public static List<LabelRule> parseList(String rules) {
    List<LabelRule> out = new ArrayList<>();
    for (String part : rules.split(",")) if (!part.isBlank()) out.add(parse(part));
    return out;
  }

  /** Whether the labels carry this key (with this value, when the rule names one). */
  public boolean matches(Map<String, ?> labels) {
    Object have = labels.get(key);
    return value == null ? have != null || labels.containsKey(key) : value.equals(have);
  }

  /** Whether any of the rules matches. */
  public static boolean any(List<LabelRule> rules, Map<String, ?> labels) {
    for (LabelRule r : rules) if (r.matches(labels)) return true;
    return false;
  }
}
