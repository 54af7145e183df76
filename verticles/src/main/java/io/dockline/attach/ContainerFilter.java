package io.dockline.attach;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which containers an agent reads. A container is skipped when it carries {@code dockline.ignore=true}, is
 * the agent's own container, matches any exclude rule, or, when include rules are set, matches none of them.
 * Labels are {@code key} (any value) or {@code key=value}; names and images are regular expressions that
 * must match the whole name (without Docker's leading '/') or image reference.
 */
public final class ContainerFilter {
  public static final String IGNORE_LABEL = "dockline.ignore";

  private final List<String[]> includeLabels;
  private final List<String[]> excludeLabels;
  private final Pattern includeNames;
  private final Pattern excludeNames;
  private final Pattern includeImages;
  private final Pattern excludeImages;
  private final String ownContainerId;

  private ContainerFilter(List<String[]> includeLabels, List<String[]> excludeLabels, Pattern includeNames,
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
   * @throws IllegalArgumentException for a pattern that does not compile, naming the setting
   */
  public static ContainerFilter create(String includeLabels, String excludeLabels, String includeNames,
                                       String excludeNames, String includeImages, String excludeImages,
                                       String ownContainerId) {
    return new ContainerFilter(labelRules(includeLabels), labelRules(excludeLabels),
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
    if (anyLabel(excludeLabels, labels) || matches(excludeNames, n) || matches(excludeImages, img)) return false;
    boolean hasIncludes = !includeLabels.isEmpty() || includeNames != null || includeImages != null;
    return !hasIncludes || anyLabel(includeLabels, labels) || matches(includeNames, n) || matches(includeImages, img);
  }

  private static boolean anyLabel(List<String[]> rules, Map<String, String> labels) {
    for (String[] r : rules) {
      String v = labels.get(r[0]);
      if (v != null && (r[1] == null || r[1].equals(v))) return true;
    }
    return false;
  }

  private static boolean matches(Pattern p, String s) {
    return p != null && p.matcher(s).matches();
  }

  private static List<String[]> labelRules(String spec) {
    List<String[]> rules = new ArrayList<>();
    for (String part : spec.split(",")) {
      String t = part.trim();
      if (t.isEmpty()) continue;
      int eq = t.indexOf('=');
      rules.add(eq < 0 ? new String[] {t, null} : new String[] {t.substring(0, eq), t.substring(eq + 1)});
    }
    return rules;
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
