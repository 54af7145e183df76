package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte search every text filter runs on, against the plainest search there is, on text made to hold near misses. */
class TextFilterTest {
  private final Random random = new Random(17);

  @Test
  void findsTheFirstOccurrenceAnywhere() {
    for (int round = 0; round < 20_000; round++) {
      byte[] hay = text(random.nextInt(80));
      byte[] needle = text(1 + random.nextInt(12));
      if (random.nextBoolean() && hay.length >= needle.length) { // plant it, often across a word's edge
        System.arraycopy(needle, 0, hay, random.nextInt(hay.length - needle.length + 1), needle.length);
      }
      int off = hay.length == 0 ? 0 : random.nextInt(hay.length);
      int len = random.nextInt(hay.length - off + 1);
      assertEquals(naive(hay, off, len, needle), TextFilter.indexOf(hay, off, len, needle),
          () -> new String(hay, StandardCharsets.ISO_8859_1) + " / " + new String(needle, StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void scanMarksExactlyTheLinesThatContainTheText() {
    for (int round = 0; round < 3_000; round++) {
      // the text as a user types it (é is two bytes in UTF-8), the lines as stored (some bytes not UTF-8)
      String text = new String(text(1 + random.nextInt(6)), StandardCharsets.ISO_8859_1);
      TextFilter filter = TextFilter.of(text);
      int count = 1 + random.nextInt(40);
      int[] lengths = new int[count];
      int start = random.nextInt(9);
      int total = start;
      for (int i = 0; i < count; i++) total += lengths[i] = random.nextInt(20);
      byte[] data = text(total + random.nextInt(9));
      boolean[] matches = new boolean[count];
      filter.scan(data, start, lengths, count, matches);
      for (int i = 0, at = start; i < count; at += lengths[i], i++) {
        boolean expected = naive(data, at, lengths[i], text.getBytes(StandardCharsets.UTF_8)) >= 0;
        assertEquals(expected, matches[i], "line " + i);
        assertEquals(expected, filter.matches(data, at, lengths[i]), "line " + i);
      }
    }
  }

  /** A run gives each line the answer it gets alone, whichever lines of the run are asked, in order. */
  @Test
  void aRunMatchesLinesAsTheyMatchAlone() {
    for (int round = 0; round < 3_000; round++) {
      String text = new String(text(1 + random.nextInt(6)), StandardCharsets.ISO_8859_1);
      TextFilter filter = TextFilter.of(text);
      TextFilter.Run run = filter.run();
      int count = 1 + random.nextInt(40);
      int start = random.nextInt(9);
      int[] lengths = new int[count];
      int total = start;
      for (int i = 0; i < count; i++) total += lengths[i] = random.nextInt(20);
      byte[] data = text(total + random.nextInt(9));
      run.reset(data, start, total);
      for (int i = 0, at = start; i < count; at += lengths[i], i++) {
        if (random.nextInt(3) == 0) continue; // a line the caller skips (out of its time range)
        boolean expected = naive(data, at, lengths[i], text.getBytes(StandardCharsets.UTF_8)) >= 0;
        assertEquals(expected, run.matches(data, at, lengths[i]), "round " + round + " line " + i);
      }
    }
  }

  @Test
  void nonAsciiTextIsMatchedByItsUtf8Bytes() {
    TextFilter filter = TextFilter.of("é✓");
    byte[] line = "a é✓ b".getBytes(StandardCharsets.UTF_8);
    boolean[] matches = new boolean[1];
    filter.scan(line, 0, new int[] {line.length}, 1, matches);
    assertEquals(true, matches[0]);
    assertThrows(IllegalArgumentException.class, () -> TextFilter.of(""));
  }

  /** Bytes from a three-letter alphabet (with a high byte), so partial matches are everywhere. */
  private byte[] text(int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) out[i] = (byte) "abc\u00e9".charAt(random.nextInt(4));
    return out;
  }

  private static int naive(byte[] hay, int off, int len, byte[] needle) {
    outer:
    for (int i = off; i + needle.length <= off + len; i++) {
      for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
      return i;
    }
    return -1;
  }
}
