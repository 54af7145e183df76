package io.dockline.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * One line a collector answered with, kept as a reference into its batch: filters look at its bytes, and it is
 * rendered (NDJSON or JSON, see {@link LineJson}) only when it is served.
 */
final class StoredLine {
  private final LineJson.Source source;
  private final int index;

  StoredLine(LineJson.Source source, int index) {
    this.source = source;
    this.index = index;
  }

  long seq() {
    return source.batch().seq(index);
  }

  /** The time as the API renders it (RFC 3339, fixed width: compares as text). */
  String time() {
    return LineJson.formatTime(source.batch().timeNanos(index));
  }

  io.dockline.wire.LogLevel level() {
    return source.batch().level(index);
  }

  /** Bytes its text takes when rendered: the line, and its base64 form when it is not UTF-8. */
  long textBytes() {
    int len = source.batch().lineLength(index);
    return LineJson.isUtf8(source.batch().data(), source.batch().lineOffset(index), len) ? len : len + (len + 2L) / 3 * 4;
  }

  /** A text to look for, with its UTF-8 bytes (encoded once per query, not per line). */
  record Needle(String text, byte[] utf8) {
    static Needle of(String text) {
      return new Needle(text, text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Whether the line, as the API renders it ({@code line}), contains the needle's text. */
  boolean contains(Needle needle) {
    byte[] data = source.batch().data();
    int off = source.batch().lineOffset(index);
    int len = source.batch().lineLength(index);
    if (indexOf(data, off, len, needle.utf8()) >= 0) return true;
    // Rendered, a line that is not UTF-8 has U+FFFD where its bytes do not decode, and is otherwise its bytes:
    // a text without U+FFFD is found in the rendered line only where it is found in the bytes.
    return needle.text().indexOf('\uFFFD') >= 0 && !LineJson.isUtf8(data, off, len)
        && source.batch().lineText(index).contains(needle.text());
  }

  JsonObject toJson() {
    return LineJson.of(source.batch(), index, source.labels());
  }

  /** Appends the line's JSON and a newline. */
  void appendNdjson(Buffer out) {
    LineJson.appendNdjson(out, source, index);
  }

  static int indexOf(byte[] data, int off, int len, byte[] needle) {
    if (needle.length == 0) return off;
    byte first = needle[0];
    int last = off + len - needle.length;
    outer:
    for (int i = off; i <= last; i++) {
      if (data[i] != first) continue;
      for (int k = 1; k < needle.length; k++) {
        if (data[i + k] != needle[k]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
