package io.dockline.gateway;

import io.dockline.wire.LineBatch;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;

/**
 * The JSON form of a stored line. Output that is not valid UTF-8 is kept exactly: {@code line} shows it with
 * each invalid sequence replaced by U+FFFD, and {@code lineBase64} carries the original bytes.
 */
public final class LineJson {
  private static final DateTimeFormatter RFC3339_NANOS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private LineJson() {}

  public static JsonObject of(LineBatch b, int i, JsonObject labels) {
    JsonObject o = new JsonObject()
        .put("seq", b.seq(i))
        .put("time", formatTime(b.timeNanos(i)))
        .put("stream", b.stream(i).label())
        .put("line", b.lineText(i));
    if (b.partial(i)) o.put("partial", true);
    if (!isUtf8(b.data(), b.lineOffset(i), b.lineLength(i))) {
      o.put("lineBase64", Base64.getEncoder().encodeToString(b.lineBytes(i)));
    }
    return o.put("containerId", b.container().id())
        .put("containerName", b.container().name())
        .put("image", b.container().image())
        .put("host", b.container().host())
        .put("labels", labels);
  }

  public static JsonObject labelsOf(LineBatch b) {
    return new JsonObject(new HashMap<>(b.container().labels()));
  }

  public static String formatTime(long epochNanos) {
    return RFC3339_NANOS.format(Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
        Math.floorMod(epochNanos, 1_000_000_000L)));
  }

  static boolean isUtf8(byte[] data, int off, int len) {
    boolean ascii = true;
    for (int i = off; i < off + len; i++) {
      if (data[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) return true;
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data, off, len));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
