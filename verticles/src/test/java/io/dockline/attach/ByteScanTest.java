package io.dockline.attach.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The eight-bytes-at-a-time newline scan finds exactly what a byte-by-byte loop finds. */
class LineAssemblerScanTest {
  private static int reference(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) if (b[i] == '\n') return i;
    return -1;
  }

  @Test
  void findsTheFirstNewlineAtEveryAlignmentAmongBytesThatLookLikeIt() {
    Random rnd = new Random(7);
    // bytes one bit away from '\n' (0x0A), 0x00, 0x80+ and UTF-8 pieces: what a word-wise trick could confuse
    byte[] alphabet = {0x0A, 0x0B, 0x09, 0x08, 0x0E, 0x1A, 0x2A, 0x4A, (byte) 0x8A, 0x00, (byte) 0x80, (byte) 0xFF,
        (byte) 0xC3, (byte) 0xA9, 'a', ' '};
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[1 + rnd.nextInt(70)];
      int newlineOdds = 1 + rnd.nextInt(40);
      for (int i = 0; i < b.length; i++) {
        b[i] = rnd.nextInt(newlineOdds) == 0 ? (byte) '\n' : alphabet[1 + rnd.nextInt(alphabet.length - 1)];
      }
      int from = rnd.nextInt(b.length);
      int end = from + rnd.nextInt(b.length - from + 1);
      assertEquals(reference(b, from, end), LineAssembler.indexOfNewline(b, from, end));
    }
  }
}
