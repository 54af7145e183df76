package io.dockline.collector.impl;

import io.dockline.wire.ContainerMeta;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@code meta.json} of a container: {id, name, image, host, labels}, replaced atomically. */
final class MetaFile {
  static final String NAME = "meta.json";
  static final String TEMP_NAME = "meta.json.tmp";
  private static final System.Logger LOG = System.getLogger(MetaFile.class.getName());

  private MetaFile() {}

  /** Writes a temp file and renames it over meta.json, so a crash leaves the old or the new file, never a mix. */
  static void write(Path containerDir, ContainerMeta meta) throws IOException {
    JsonObject labels = new JsonObject();
    meta.labels().forEach(labels::put);
    JsonObject json = new JsonObject()
        .put("id", meta.id())
        .put("name", meta.name())
        .put("image", meta.image())
        .put("host", meta.host())
        .put("labels", labels);
    Path temp = containerDir.resolve(TEMP_NAME);
    Files.write(temp, json.encode().getBytes(StandardCharsets.UTF_8));
    Files.move(temp, containerDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The stored meta, or empty when there is no meta.json. A file that does not parse (it was renamed in
   * but not yet synced at a crash) yields a meta of just the id; the next append rewrites it.
   */
  static Optional<ContainerMeta> read(Path containerDir, String id) throws IOException {
    Files.deleteIfExists(containerDir.resolve(TEMP_NAME));
    String text;
    try {
      text = Files.readString(containerDir.resolve(NAME), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // Also covers malformed UTF-8 from a half-written file.
      LOG.log(System.Logger.Level.WARNING, "unreadable " + NAME + " of container " + id + ": " + e);
      return Optional.of(new ContainerMeta(id, null, null, null, null));
    }
    try {
      JsonObject json = new JsonObject(text);
      Map<String, String> labels = new HashMap<>();
      JsonObject labelsJson = json.getJsonObject("labels", new JsonObject());
      for (String key : labelsJson.fieldNames()) {
        Object value = labelsJson.getValue(key);
        if (value != null) labels.put(key, String.valueOf(value));
      }
      // The directory name is the id the store files lines under, whatever the file says.
      return Optional.of(new ContainerMeta(id, json.getString("name"), json.getString("image"),
          json.getString("host"), labels));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "malformed " + NAME + " of container " + id + ": " + e);
      return Optional.of(new ContainerMeta(id, null, null, null, null));
    }
  }
}
