package io.dockline.collector;

import java.nio.ByteBuffer;
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
  /** The UTF-8 bytes as a Latin-1 string: {@link String#indexOf(String, int)} on such strings is a vectorized byte search. */
  private final String bytesAsLatin1;
  private final boolean replacementChar;

  private TextFilter(String text) {
    this.text = text;
    this.utf8 = text.getBytes(StandardCharsets.UTF_8);
    this.bytesAsLatin1 = new String(utf8, StandardCharsets.ISO_8859_1);
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
    // copied once into a Latin-1 string (a plain array copy) so the search runs on the JDK's intrinsic
    String hay = new String(data, start, end - start, StandardCharsets.ISO_8859_1);
    int n = utf8.length;
    int hit = -1;
    int lineStart = 0;
    for (int i = 0; i < count; i++) {
      int lineEnd = lineStart + lengths[i];
      if (hit != Integer.MAX_VALUE && hit < lineStart) hit = next(hay, lineStart);
      while (hit < lineEnd && hit + n > lineEnd) hit = next(hay, hit + 1); // runs across the line's end
      matches[i] = hit < lineEnd;
      lineStart = lineEnd;
    }
  }

  private int next(String hay, int from) {
    int at = hay.indexOf(bytesAsLatin1, from);
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

  static int indexOf(byte[] data, int off, int len, byte[] needle) {
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
