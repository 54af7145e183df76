package io.dockline.attach;

/**
 * The node's multiline settings: the rule for containers without a {@link MultilineRule#LABEL} label, how long
 * a record waits for its next line, and the largest record kept whole.
 */
public record MultilineSettings(MultilineRule defaultRule, long flushMillis, int maxRecordBytes) {
  public static final MultilineSettings NONE = new MultilineSettings(MultilineRule.NONE, 500, 1 << 20);

  /**
   * The rule for a container with these labels: its label's, else the node's. A label that does not parse
   * falls back to the node's rule ({@code problem} is told why, for a warning).
   */
  public MultilineRule ruleFor(java.util.Map<String, String> labels, java.util.function.Consumer<String> problem) {
    String label = labels == null ? null : labels.get(MultilineRule.LABEL);
    if (label == null) return defaultRule;
    try {
      return MultilineRule.parse(label);
    } catch (IllegalArgumentException e) {
      problem.accept("label " + MultilineRule.LABEL + "=" + label + ": " + e.getMessage() + "; using multiline="
          + defaultRule);
      return defaultRule;
    }
  }
}
