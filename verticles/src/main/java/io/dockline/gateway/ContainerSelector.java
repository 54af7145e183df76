package io.dockline.gateway;

import io.dockline.docker.LabelRule;
import io.dockline.wire.ContainerMeta;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Which containers a request means, all selectors combined with AND, each optional: {@code container} (id, name
 * or unique id prefix; repeatable, any of them), {@code service} and {@code project} (the Compose labels),
 * {@code label} ({@code key} or {@code key=value}; repeatable, all of them), {@code host} (exact), {@code image}
 * (exact, or the image's name without its tag or digest) and {@code name} (a part of the name, any case).
 */
final class ContainerSelector {
  private final List<String> containers;
  private final String host;
  private final String name;
  private final String image;
  private final List<LabelRule> labels;

  private ContainerSelector(List<String> containers, String host, String name, String image, List<LabelRule> labels) {
    this.containers = containers;
    this.host = host;
    this.name = name == null ? null : name.toLowerCase(Locale.ROOT);
    this.image = image;
    this.labels = labels;
  }

  /** @throws ApiException 400 naming a malformed label rule */
  static ContainerSelector of(Function<String, String> param, Function<String, List<String>> all) {
    List<LabelRule> l = new ArrayList<>();
    for (String s : all.apply("label")) {
      if (s == null || s.isBlank()) continue;
      try {
        l.add(LabelRule.parse(s.trim()));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("'label': " + e.getMessage());
      }
    }
    String service = LogQuery.optional(param.apply("service"));
    if (service != null) l.add(new LabelRule(ContainerMeta.SERVICE_LABEL, service));
    String project = LogQuery.optional(param.apply("project"));
    if (project != null) l.add(new LabelRule(ContainerMeta.PROJECT_LABEL, project));
    List<String> containers = new ArrayList<>();
    for (String c : all.apply("container")) if (c != null && !c.isBlank()) containers.add(c.trim());
    return new ContainerSelector(containers, LogQuery.optional(param.apply("host")), LogQuery.optional(param.apply("name")),
        LogQuery.optional(param.apply("image")), l);
  }

  /** The listed containers that pass, in the listing's order. */
  List<JsonObject> select(Map<String, JsonObject> all) {
    List<JsonObject> out = new ArrayList<>();
    if (!containers.isEmpty()) {
      java.util.Set<String> named = new java.util.LinkedHashSet<>();
      for (String c : containers) {
        JsonObject found = ClusterView.resolve(all, c);
        if (found != null) named.add(found.getString("id"));
      }
      for (String id : named) if (test(all.get(id))) out.add(all.get(id));
      return out;
    }
    for (JsonObject c : all.values()) if (test(c)) out.add(c);
    return out;
  }

  boolean test(JsonObject c) {
    if (host != null && !host.equals(c.getString("host"))) return false;
    if (name != null && !c.getString("name", "").toLowerCase(Locale.ROOT).contains(name)) return false;
    if (image != null && !imageMatches(c.getString("image", ""))) return false;
    Map<String, Object> have = c.getJsonObject("labels", new JsonObject()).getMap();
    for (LabelRule l : labels) if (!l.matches(have)) return false;
    return true;
  }

  private boolean imageMatches(String have) {
    return have.equals(image) || have.startsWith(image + ":") || have.startsWith(image + "@");
  }
}
