package io.dockline.collector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The rule of a text search, in one place for the collector (which scans stored bytes) and the gateway: a line
 * matches when the line as the API renders it contains the text. Rendered, a line that is not UTF-8 has U+FFFD
 * where its bytes do not decode and is otherwise its bytes, so a text without U+FFFD is found in the rendered
 * line exactly where its UTF-8 bytes are found in the line's bytes: the scan is a byte search, and only a text
 * holding U+FFFD needs a line decoded.
 *
 * <p>Immutable; safe on any thread.
 */
public final class TextFilter {
  private final String text;
  private final byte[] utf8;
  private final boolean replacementChar;

  private TextFilter(String text) {
    this.text = text;
    this.utf8 = text.getBytes(StandardCharsets.UTF_8);
    this.replacementChar = text.indexOf('\uFFFD') >= 0;
  }

  /** @throws IllegalArgumentException for an empty text (which every line would match) */
  public static TextFilter of(String text) {
    if (text == null || text.isEmpty()) throw new IllegalArgumentException("an empty text to search");
    return new TextFilter(text);
  }

  public String text() { return text; }

  /** Whether the line {@code data[off .. off+len)}, rendered, contains the text. */
  public boolean matches(byte[] data, int off, int len) {
    if (indexOf(data, off, len, utf8) >= 0) return true;
    return replacementChar && !isUtf8(data, off, len)
        && new String(data, off, len, StandardCharsets.UTF_8).contains(text);
  }

  /**
   * Marks the matching lines among consecutive lines stored back to back in {@code data} from {@code start}:
   * line {@code i} is {@code lengths(i)} bytes long; {@code matches[i]} is set for each of the first
   * {@code count} lines. One byte search runs over all their text; a hit that runs across the end of a line is
   * no match.
   */
  public void scan(byte[] data, int start, int[] lengths, int count, boolean[] matches) {
    int end = start;
    for (int i = 0; i < count; i++) end += lengths[i];
    if (replacementChar) {
      for (int i = 0, at = start; i < count; at += lengths[i], i++) matches[i] = matches(data, at, lengths[i]);
      return;
    }
    int n = utf8.length;
    int hit = -1;
    int lineStart = start;
    for (int i = 0; i < count; i++) {
      int lineEnd = lineStart + lengths[i];
      if (hit != Integer.MAX_VALUE && hit < lineStart) hit = next(data, lineStart, end);
      while (hit < lineEnd && hit + n > lineEnd) hit = next(data, hit + 1, end); // runs across the line's end
      matches[i] = hit < lineEnd;
      lineStart = lineEnd;
    }
  }

  /** A {@link Run} over this text; one per scanning thread. */
  public Run run() { return new Run(); }

  /**
   * Matches lines that lie back to back in one run of text with one byte search over the run, as {@link #scan}
   * does, for a caller given the lines one by one, in order ({@link LineVisitor#text}). A line outside the run,
   * or before one already matched, is matched on its own. Not thread-safe.
   */
  public final class Run {
    private byte[] data;
    private int end;
    /** Where the search for {@link #hit} started: lines before it are matched on their own. */
    private int from;
    /** The first hit at or after {@code from}; MAX_VALUE when there is none before {@code end}. */
    private int hit;

    private Run() {}

    /** The text of the lines to come lies in {@code data[from .. to)}. */
    public void reset(byte[] data, int from, int to) {
      this.data = data;
      this.end = to;
      this.from = from;
      this.hit = -1;
    }

    public boolean matches(byte[] line, int off, int len) {
      int lineEnd = off + len;
      if (replacementChar || line != data || off < from || lineEnd > end) return TextFilter.this.matches(line, off, len);
      if (hit < off) {
        from = off;
        hit = next(data, off, end);
      }
      while (hit < lineEnd && hit + utf8.length > lineEnd) hit = next(data, hit + 1, end); // runs across the line's end
      return hit < lineEnd;
    }
  }

  private int next(byte[] data, int from, int end) {
    int at = indexOf(data, from, end - from, utf8);
    return at < 0 ? Integer.MAX_VALUE : at;
  }

  /** Whether {@code data[off .. off+len)} is valid UTF-8 (ASCII is checked first, cheaply). */
  public static boolean isUtf8(byte[] data, int off, int len) {
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

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The first index of {@code needle} in {@code data[off .. off+len)}, or -1. Eight positions at a time: a
   * position is a candidate when the needle's first byte is there and its last byte where it would end (both
   * tested with one word operation each), and only candidates are compared whole, so text that rarely holds the
   * first and last byte together is passed over at word speed, with no copy.
   */
  static int indexOf(byte[] data, int off, int len, byte[] needle) {
    int m = needle.length;
    int end = off + len;
    if (m == 0) return off;
    if (m > len) return -1;
    long first = ONES * (needle[0] & 0xff);
    long last = ONES * (needle[m - 1] & 0xff);
    int i = off;
    // a word read at i + m - 1 must end inside data
    for (int stop = end - m - 7; i <= stop; i += 8) {
      long x = ((long) LONGS.get(data, i) ^ first) | ((long) LONGS.get(data, i + m - 1) ^ last);
      long zeros = (x - ONES) & ~x & HIGHS; // a high bit for every zero byte of x (and perhaps one above it)
      while (zeros != 0) {
        int at = i + (Long.numberOfTrailingZeros(zeros) >>> 3);
        if (equalsAt(data, at, needle)) return at;
        zeros &= zeros - 1;
      }
    }
    for (int stop = end - m; i <= stop; i++) {
      if (data[i] == needle[0] && equalsAt(data, i, needle)) return i;
    }
    return -1;
  }

  private static boolean equalsAt(byte[] data, int at, byte[] needle) {
    for (int k = 0; k < needle.length; k++) {
      if (data[at + k] != needle[k]) return false;
    }
    return true;
  }
}
