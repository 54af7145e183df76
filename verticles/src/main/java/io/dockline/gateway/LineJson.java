package io.dockline.gateway;

import io.dockline.collector.TextFilter;
import io.dockline.wire.LineBatch;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
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
    return of(b, i, b.seq(i), labels);
  }

  /** Line {@code i} of the batch, whose seq is {@code seq} (a filtered answer's lines are not consecutive). */
  public static JsonObject of(LineBatch b, int i, long seq, JsonObject labels) {
    JsonObject o = new JsonObject()
        .put("seq", seq)
        .put("time", formatTime(b.timeNanos(i)))
        .put("stream", b.stream(i).label())
        .put("level", b.level(i).label())
        .put("line", b.lineText(i));
    if (b.partial(i)) o.put("partial", true);
    int lines = lineCount(b.data(), b.lineOffset(i), b.lineLength(i));
    if (lines > 1) o.put("lines", lines);
    if (!TextFilter.isUtf8(b.data(), b.lineOffset(i), b.lineLength(i))) {
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
   * Appends line {@code i} of the source's batch, whose seq is {@code seq}, as {@link #of} renders it, and a
   * newline, written straight to {@code out} when its text is UTF-8 (the common case) rather than through a
   * JsonObject: the text's bytes are copied with JSON's escapes, as Jackson writes them.
   */
  static void appendNdjson(Buffer out, Source source, int i, long seq) {
    LineBatch b = source.batch();
    byte[] data = b.data();
    int off = b.lineOffset(i);
    int len = b.lineLength(i);
    if (!TextFilter.isUtf8(data, off, len)) {
      out.appendString(of(b, i, seq, source.labels()).encode()).appendByte((byte) '\n');
      return;
    }
    out.appendBytes(SEQ).appendBytes(Long.toString(seq).getBytes(StandardCharsets.ISO_8859_1))
        .appendBytes(TIME).appendBytes(timeBytes(b.timeNanos(i)))
        .appendBytes(STREAM).appendBytes(STREAM_LABELS[b.stream(i).ordinal()])
        .appendBytes(LEVEL).appendBytes(LEVEL_LABELS[b.level(i).ordinal()])
        .appendBytes(LINE);
    appendEscaped(out, data, off, len);
    out.appendByte((byte) '"');
    if (b.partial(i)) out.appendBytes(PARTIAL);
    int lines = lineCount(data, off, len);
    if (lines > 1) out.appendBytes(LINES).appendBytes(Integer.toString(lines).getBytes(StandardCharsets.ISO_8859_1));
    out.appendBytes(source.sharedTail()).appendByte((byte) '\n');
  }

  private static final byte[] SEQ = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TIME = ",\"time\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STREAM = "\",\"stream\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LEVEL = "\",\"level\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LINE = "\",\"line\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PARTIAL = ",\"partial\":true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LINES = ",\"lines\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[][] LEVEL_LABELS = java.util.Arrays.stream(io.dockline.wire.LogLevel.values())
      .map(l -> l.label().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
  private static final byte[][] STREAM_LABELS = java.util.Arrays.stream(io.dockline.wire.StreamKind.values())
      .map(k -> k.label().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  /** Per ASCII byte: 0 copied as is, a letter for a two-byte escape ({@code \\n}), -1 for {@code \\u00XX}. */
  private static final byte[] ESCAPES = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) ESCAPES[c] = -1;
    ESCAPES['"'] = '"';
    ESCAPES['\\'] = '\\';
    ESCAPES['\b'] = 'b';
    ESCAPES['\t'] = 't';
    ESCAPES['\n'] = 'n';
    ESCAPES['\f'] = 'f';
    ESCAPES['\r'] = 'r';
  }

  /** The body of a JSON string holding UTF-8 text {@code data[off .. off+len)}: runs without escapes copied whole. */
  private static void appendEscaped(Buffer out, byte[] data, int off, int len) {
    int run = off;
    int end = off + len;
    for (int p = off; p < end; p++) {
      int c = data[p];
      if (c < 0 || ESCAPES[c] == 0) continue;
      if (p > run) out.appendBytes(data, run, p - run);
      out.appendByte((byte) '\\');
      byte e = ESCAPES[c];
      if (e > 0) {
        out.appendByte(e);
      } else {
        out.appendByte((byte) 'u').appendByte((byte) '0').appendByte((byte) '0')
            .appendByte(HEX[c >> 4]).appendByte(HEX[c & 15]);
      }
      run = p + 1;
    }
    if (end > run) out.appendBytes(data, run, end - run);
  }

  public static JsonObject labelsOf(LineBatch b) {
    return new JsonObject(new HashMap<>(b.container().labels()));
  }

  /** RFC 3339 in UTC with nanoseconds, {@code 2001-09-09T01:46:40.000000001Z}: fixed width, so it sorts as text. */
  public static String formatTime(long epochNanos) {
    return new String(timeBytes(epochNanos), StandardCharsets.ISO_8859_1);
  }

  /** {@link #formatTime} as ASCII bytes. */
  private static byte[] timeBytes(long epochNanos) {
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
    return t;
  }

  private static void digits(byte[] out, int at, int width, long value) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
