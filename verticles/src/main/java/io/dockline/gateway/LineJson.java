package io.dockline.gateway;

import io.dockline.wire.LineBatch;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Base64;
import java.util.HashMap;

/**
 * The JSON form of a stored line or record (a record's lines joined with '\n', with their count in
 * {@code lines}) and its {@code level}. Output that is not valid UTF-8 is kept exactly: {@code line} shows it with
 * each invalid sequence replaced by U+FFFD, and {@code lineBase64} carries the original bytes.
 */
public final class LineJson {
  private LineJson() {}

  public static JsonObject of(LineBatch b, int i, JsonObject labels) {
    JsonObject o = new JsonObject()
        .put("seq", b.seq(i))
        .put("time", formatTime(b.timeNanos(i)))
        .put("stream", b.stream(i).label())
        .put("level", b.level(i).label())
        .put("line", b.lineText(i));
    if (b.partial(i)) o.put("partial", true);
    int lines = lineCount(b.data(), b.lineOffset(i), b.lineLength(i));
    if (lines > 1) o.put("lines", lines);
    if (!isUtf8(b.data(), b.lineOffset(i), b.lineLength(i))) {
      o.put("lineBase64", Base64.getEncoder().encodeToString(b.lineBytes(i)));
    }
    return container(o, b, labels);
  }

  /** How many lines a record holds (its text's '\n' plus one); such text is never plain, so only {@link #of} counts. */
  private static int lineCount(byte[] data, int off, int len) {
    int n = 1;
    for (int i = off; i < off + len; i++) if (data[i] == '\n') n++;
    return n;
  }

  private static JsonObject container(JsonObject o, LineBatch b, JsonObject labels) {
    return o.put("containerId", b.container().id())
        .put("containerName", b.container().name())
        .put("image", b.container().image())
        .put("host", b.container().host())
        .put("labels", labels);
  }

  /**
   * A batch as the gateway renders its lines: its labels as JSON, and the end every line's JSON shares (the
   * container's id, names and labels), encoded once.
   */
  record Source(LineBatch batch, JsonObject labels, byte[] sharedTail) {
    static Source of(LineBatch batch) {
      JsonObject labels = labelsOf(batch);
      String tail = container(new JsonObject(), batch, labels).encode();
      return new Source(batch, labels, ("," + tail.substring(1)).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Appends line {@code i} of the source's batch as {@link #of} renders it, and a newline, written straight to
   * {@code out} when its text needs no escaping (the common case) rather than through a JsonObject.
   */
  static void appendNdjson(Buffer out, Source source, int i) {
    LineBatch b = source.batch();
    if (!plain(b.data(), b.lineOffset(i), b.lineLength(i))) {
      out.appendString(of(b, i, source.labels()).encode()).appendByte((byte) '\n');
      return;
    }
    out.appendBytes(SEQ).appendString(Long.toString(b.seq(i)))
        .appendBytes(TIME).appendString(formatTime(b.timeNanos(i)))
        .appendBytes(STREAM).appendString(b.stream(i).label())
        .appendBytes(LEVEL).appendString(b.level(i).label())
        .appendBytes(LINE).appendBytes(b.data(), b.lineOffset(i), b.lineLength(i)).appendByte((byte) '"');
    if (b.partial(i)) out.appendBytes(PARTIAL);
    out.appendBytes(source.sharedTail()).appendByte((byte) '\n');
  }

  private static final byte[] SEQ = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TIME = ",\"time\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STREAM = "\",\"stream\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LEVEL = "\",\"level\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LINE = "\",\"line\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PARTIAL = ",\"partial\":true".getBytes(StandardCharsets.US_ASCII);

  /** Printable ASCII without a quote or backslash: the bytes are their own JSON string body. */
  private static boolean plain(byte[] data, int off, int len) {
    for (int i = off; i < off + len; i++) {
      byte c = data[i];
      if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) return false;
    }
    return true;
  }

  public static JsonObject labelsOf(LineBatch b) {
    return new JsonObject(new HashMap<>(b.container().labels()));
  }

  /** RFC 3339 in UTC with nanoseconds, {@code 2001-09-09T01:46:40.000000001Z}: fixed width, so it sorts as text. */
  public static String formatTime(long epochNanos) {
    long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
    // a long of nanoseconds spans the years 1677 to 2262: always four digits
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    // by hand: DateTimeFormatter costs more than the rest of a line's JSON when pages are read in bulk
    byte[] t = new byte[30];
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    digits(t, 0, 4, day.getYear());
    t[4] = '-';
    digits(t, 5, 2, day.getMonthValue());
    t[7] = '-';
    digits(t, 8, 2, day.getDayOfMonth());
    t[10] = 'T';
    digits(t, 11, 2, secondOfDay / 3600);
    t[13] = ':';
    digits(t, 14, 2, secondOfDay / 60 % 60);
    t[16] = ':';
    digits(t, 17, 2, secondOfDay % 60);
    t[19] = '.';
    digits(t, 20, 9, Math.floorMod(epochNanos, 1_000_000_000L));
    t[29] = 'Z';
    return new String(t, StandardCharsets.ISO_8859_1);
  }

  private static void digits(byte[] out, int at, int width, long value) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
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
