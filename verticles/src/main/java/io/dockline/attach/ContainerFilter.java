package io.dockline.attach;

import io.dockline.docker.LabelRule;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which containers an agent reads. A container is skipped when it carries {@code dockline.ignore=true}, is
 * the agent's own container, matches any exclude rule, or, when include rules are set, matches none of them.
 * Labels are {@link LabelRule}s ({@code key} or {@code key=value}); names and images are regular expressions that
 * must match the whole name (without Docker's leading '/') or image reference.
 */
public final class ContainerFilter {
  public static final String IGNORE_LABEL = "dockline.ignore";

  private final List<LabelRule> includeLabels;
  private final List<LabelRule> excludeLabels;
  private final Pattern includeNames;
  private final Pattern excludeNames;
  private final Pattern includeImages;
  private final Pattern excludeImages;
  private final String ownContainerId;

  private ContainerFilter(List<LabelRule> includeLabels, List<LabelRule> excludeLabels, Pattern includeNames,
                          Pattern excludeNames, Pattern includeImages, Pattern excludeImages, String ownContainerId) {
    this.includeLabels = includeLabels;
    this.excludeLabels = excludeLabels;
    this.includeNames = includeNames;
    this.excludeNames = excludeNames;
    this.includeImages = includeImages;
    this.excludeImages = excludeImages;
    this.ownContainerId = ownContainerId;
  }

  /**
   * @param labelRules comma-separated {@code key} or {@code key=value}, empty for none
   * @param ownContainerId the id of the container the agent itself runs in, or null
   * @throws IllegalArgumentException for a pattern that does not compile or a label rule without a key, naming
   *     the setting
   */
  public static ContainerFilter create(String includeLabels, String excludeLabels, String includeNames,
                                       String excludeNames, String includeImages, String excludeImages,
                                       String ownContainerId) {
    return new ContainerFilter(labelRules("include-labels", includeLabels), labelRules("exclude-labels", excludeLabels),
        pattern("include-names", includeNames), pattern("exclude-names", excludeNames),
        pattern("include-images", includeImages), pattern("exclude-images", excludeImages), ownContainerId);
  }

  /** Reads every container: no rule but the opt-out label. */
  public static ContainerFilter all() {
    return create("", "", "", "", "", "", null);
  }

  public boolean accepts(String id, String name, String image, Map<String, String> labels) {
    if ("true".equalsIgnoreCase(labels.get(IGNORE_LABEL))) return false;
    if (ownContainerId != null && ownContainerId.equals(id)) return false;
    String n = name == null ? "" : name.startsWith("/") ? name.substring(1) : name;
    String img = image == null ? "" : image;
    if (LabelRule.any(excludeLabels, labels) || matches(excludeNames, n) || matches(excludeImages, img)) return false;
    boolean hasIncludes = !includeLabels.isEmpty() || includeNames != null || includeImages != null;
    return !hasIncludes || LabelRule.any(includeLabels, labels) || matches(includeNames, n) || matches(includeImages, img);
  }

  private static boolean matches(Pattern p, String s) {
    return p != null && p.matcher(s).matches();
  }

  private static List<LabelRule> labelRules(String setting, String spec) {
    try {
      return LabelRule.parseList(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid --" + setting + ": " + e.getMessage());
    }
  }

  private static Pattern pattern(String setting, String regex) {
    if (regex == null || regex.isBlank()) return null;
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid --" + setting + " '" + regex + "': " + e.getDescription());
    }
  }
}
