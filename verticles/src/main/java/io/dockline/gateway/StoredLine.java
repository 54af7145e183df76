package io.dockline.gateway;

import io.dockline.collector.TextFilter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One line a collector answered with, kept as a reference into its batch: filters look at its bytes, and it is
 * rendered (NDJSON or JSON, see {@link LineJson}) only when it is served.
 */
final class StoredLine {
  private final LineJson.Source source;
  private final int index;
  private final long seq;

  StoredLine(LineJson.Source source, int index, long seq) {
    this.source = source;
    this.index = index;
    this.seq = seq;
  }

  long seq() {
    return seq;
  }

  long timeNanos() {
    return source.batch().timeNanos(index);
  }

  /** Where the line sits in a search's order (time, container, seq). */
  io.dockline.wire.SearchKey key() {
    return new io.dockline.wire.SearchKey(timeNanos(), source.batch().container().id(), seq);
  }

  /** Whether a search's stream, level, text and regex filters keep the line. */
  boolean matches(io.dockline.collector.LinePredicate predicate) {
    io.dockline.wire.LineBatch b = source.batch();
    return predicate.matches(b.streamCode(index), b.flags(index), b.data(), b.lineOffset(index), b.lineLength(index));
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
    return TextFilter.isUtf8(source.batch().data(), source.batch().lineOffset(index), len) ? len : len + (len + 2L) / 3 * 4;
  }

  /** Whether the line, as the API renders it ({@code line}), contains the filter's text. */
  boolean contains(TextFilter filter) {
    return filter.matches(source.batch().data(), source.batch().lineOffset(index), source.batch().lineLength(index));
  }

  JsonObject toJson() {
    return LineJson.of(source.batch(), index, seq, source.labels());
  }

  /** Appends the line's JSON and a newline. */
  void appendNdjson(LineJson.NdjsonWriter writer) {
    writer.append(source, index, seq);
  }
}
