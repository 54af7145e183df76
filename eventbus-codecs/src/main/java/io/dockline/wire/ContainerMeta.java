package io.dockline.wire;

import java.util.Map;
import java.util.Objects;

/** What every line of a container is tagged with, besides its own fields. */
public final class ContainerMeta {
  /** The labels Docker Compose puts on a service's containers. */
  public static final String SERVICE_LABEL = "com.docker.compose.service";
  public static final String PROJECT_LABEL = "com.docker.compose.project";

  private final String id;
  private final String name;
  private final String image;
  private final String host;
  private final Map<String, String> labels;

  public ContainerMeta(String id, String name, String image, String host, Map<String, String> labels) {
    this.id = Objects.requireNonNull(id, "id");
    this.name = name == null ? "" : name;
    this.image = image == null ? "" : image;
    this.host = host == null ? "" : host;
    this.labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public String id() { return id; }
  public String name() { return name; }
  public String image() { return image; }
  public String host() { return host; }
  public Map<String, String> labels() { return labels; }

  public ContainerMeta withName(String newName) {
    return new ContainerMeta(id, newName, image, host, labels);
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) return true; // a collector compares every batch's meta with the one it has
    if (!(o instanceof ContainerMeta)) return false;
    ContainerMeta m = (ContainerMeta) o;
    return id.equals(m.id) && name.equals(m.name) && image.equals(m.image) && host.equals(m.host)
        && labels.equals(m.labels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, name, image, host, labels);
  }

  @Override
  public String toString() {
    return "ContainerMeta{" + id + " " + name + " " + image + "@" + host + "}";
  }
}
