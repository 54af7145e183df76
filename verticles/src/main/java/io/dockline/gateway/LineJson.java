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
  public record Source(LineBatch batch, JsonObject labels, byte[] sharedTail) {
    public static Source of(LineBatch batch) {
      JsonObject labels = labelsOf(batch);
      String tail = container(new JsonObject(), batch, labels).encode();
      return new Source(batch, labels, ("," + tail.substring(1)).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Writes lines as {@link #of} renders them, one per line (NDJSON), straight to a buffer when their text is
   * UTF-8 (the common case) rather than through a JsonObject: each line is assembled in a reused array and
   * appended in one go, its text copied with JSON's escapes as Jackson writes them, and the date and time up to
   * the second rendered once for the lines of the same second. One per answer; not thread-safe.
   */
  public static final class NdjsonWriter implements FleetSearches.Out {
    /** Bytes of NDJSON per piece of the output: a large answer is a list of these, never one array regrown. */
    static final int PIECE_BYTES = 1 << 20;
    private final java.util.List<Buffer> pieces = new java.util.ArrayList<>();
    private long length;
    private byte[] line = new byte[1024];
    private int size;
    private long second = Long.MIN_VALUE;
    /** {@code yyyy-mm-ddThh:mm:ss.} of {@link #second}. */
    private final byte[] secondText = new byte[20];

    /** The NDJSON written so far, in pieces of about {@link #PIECE_BYTES}. */
    java.util.List<Buffer> pieces() { return pieces; }

    /** Bytes written so far. */
    @Override
    public long length() { return length; }

    /** Appends line {@code i} of the source's batch, whose seq is {@code seq}, and a newline. */
    @Override
    public void append(Source source, int i, long seq) {
      if (!assemble(source, i, seq)) {
        byte[] json = (of(source.batch(), i, seq, source.labels()).encode() + "\n").getBytes(StandardCharsets.UTF_8);
        piece(json.length).appendBytes(json);
        length += json.length;
        return;
      }
      piece(size).appendBytes(line, 0, size);
      length += size;
    }

    /** Line {@code i} of the source's batch, whose seq is {@code seq}, as {@link #of} renders it (no newline). */
    public byte[] json(Source source, int i, long seq) {
      if (!assemble(source, i, seq)) return of(source.batch(), i, seq, source.labels()).toBuffer().getBytes();
      return java.util.Arrays.copyOf(line, size - 1);
    }

    /**
     * Assembles the line and a newline in {@link #line}, {@link #size} bytes; false for text that is not UTF-8,
     * which only {@link #of} renders.
     */
    private boolean assemble(Source source, int i, long seq) {
      LineBatch b = source.batch();
      byte[] data = b.data();
      int off = b.lineOffset(i);
      int len = b.lineLength(i);
      int escapes = plainOrEscapes(data, off, len);
      if (escapes < 0) return false;
      byte[] tail = source.sharedTail();
      // an escape takes at most 6 bytes for 1; the fields around the text take at most 148 (a negative seq of
      // 20 characters, partial, a count of lines of 10 digits)
      ensure(len + escapes * 5 + tail.length + 256);
      size = 0;
      put(SEQ);
      putLong(seq);
      put(TIME);
      putTime(b.timeNanos(i));
      put(STREAM);
      put(STREAM_LABELS[b.stream(i).ordinal()]);
      put(LEVEL);
      put(LEVEL_LABELS[b.level(i).ordinal()]);
      put(LINE);
      if (escapes == 0) {
        System.arraycopy(data, off, line, size, len);
        size += len;
      } else {
        putEscaped(data, off, len);
      }
      line[size++] = '"';
      if (b.partial(i)) put(PARTIAL);
      int lines = escapes == 0 ? 1 : lineCount(data, off, len); // '\n' is escaped
      if (lines > 1) {
        put(LINES);
        putLong(lines);
      }
      put(tail);
      line[size++] = '\n';
      return true;
    }

    /** The piece to append {@code bytes} to: the last one, or a new one when it would outgrow its size. */
    private Buffer piece(int bytes) {
      Buffer last = pieces.isEmpty() ? null : pieces.get(pieces.size() - 1);
      if (last == null || last.length() > 0 && last.length() + bytes > PIECE_BYTES) {
        last = Buffer.buffer(Math.max(bytes, pieces.isEmpty() ? 64 << 10 : PIECE_BYTES));
        pieces.add(last);
      }
      return last;
    }

    private void ensure(int bytes) {
      if (line.length < bytes) line = new byte[Math.max(bytes, line.length * 2)];
    }

    private void put(byte[] bytes) {
      System.arraycopy(bytes, 0, line, size, bytes.length);
      size += bytes.length;
    }

    private void putLong(long value) {
      if (value < 0) {
        put(Long.toString(value).getBytes(StandardCharsets.ISO_8859_1));
        return;
      }
      int digits = 1;
      for (long v = value; v >= 10; v /= 10) digits++;
      digits(line, size, digits, value);
      size += digits;
    }

    private void putTime(long epochNanos) {
      long s = Math.floorDiv(epochNanos, 1_000_000_000L);
      if (s != second) {
        System.arraycopy(timeBytes(epochNanos), 0, secondText, 0, secondText.length);
        second = s;
      }
      put(secondText);
      digits(line, size, 9, Math.floorMod(epochNanos, 1_000_000_000L));
      size += 9;
      line[size++] = 'Z';
    }

    /** The body of a JSON string holding UTF-8 text {@code data[off .. off+len)}. */
    private void putEscaped(byte[] data, int off, int len) {
      for (int p = off; p < off + len; p++) {
        byte c = data[p];
        byte e = c < 0 ? 0 : ESCAPES[c];
        if (e == 0) {
          line[size++] = c;
        } else if (e > 0) {
          line[size++] = '\\';
          line[size++] = e;
        } else {
          line[size++] = '\\';
          line[size++] = 'u';
          line[size++] = '0';
          line[size++] = '0';
          line[size++] = HEX[c >> 4];
          line[size++] = HEX[c & 15];
        }
      }
    }
  }

  /**
   * How many bytes of {@code data[off .. off+len)} JSON escapes (0: copied as is), or -1 when the text is not
   * valid UTF-8 (rendered through {@link #of}). ASCII, the common case, is checked in the same pass.
   */
  private static int plainOrEscapes(byte[] data, int off, int len) {
    int escapes = 0;
    boolean ascii = true;
    for (int p = off; p < off + len; p++) {
      int c = data[p];
      if (c < 0) {
        ascii = false;
      } else if (ESCAPES[c] != 0) {
        escapes++;
      }
    }
    return ascii || TextFilter.isUtf8(data, off, len) ? escapes : -1;
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
