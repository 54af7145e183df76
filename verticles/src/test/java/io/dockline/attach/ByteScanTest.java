package io.dockline.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The eight-bytes-at-a-time scan finds exactly what a byte-by-byte loop finds. */
class ByteScanTest {
  private static int reference(byte[] b, int from, int end, byte value) {
    for (int i = from; i < end; i++) if (b[i] == value) return i;
    return -1;
  }

  @Test
  void findsTheFirstNewlineAtEveryAlignmentAmongBytesThatLookLikeIt() {
    // bytes one bit away from '\n' (0x0A), 0x00, 0x80+ and UTF-8 pieces: what a word-wise trick could confuse
    check((byte) '\n', new byte[] {0x0B, 0x09, 0x08, 0x0E, 0x1A, 0x2A, 0x4A, (byte) 0x8A, 0x00, (byte) 0x80,
        (byte) 0xFF, (byte) 0xC3, (byte) 0xA9, 'a', ' '});
  }

  @Test
  void findsTheFirstEqualsSignAmongBytesThatLookLikeIt() {
    // '=' is 0x3D
    check((byte) '=', new byte[] {0x3C, 0x3E, 0x3F, 0x39, 0x35, 0x2D, 0x1D, 0x7D, (byte) 0xBD, 0x00, (byte) 0x80,
        (byte) 0xFF, (byte) 0xC3, '\n', ' '});
  }

  @Test
  void findsAByteWithTheHighBitSet() {
    check((byte) 0xC3, new byte[] {(byte) 0xC2, (byte) 0xC1, (byte) 0x43, (byte) 0xE3, 0x00, (byte) 0x80,
        (byte) 0xFF, '\n', 'a'});
  }

  @Test
  void findsTheFirstOfTwoBytesAsTwoScansWould() {
    Random rnd = new Random(11);
    byte[] alphabet = {'=', '\n', 0x3C, 0x3E, 0x0B, 0x09, 0x00, (byte) 0x80, (byte) 0xFF, (byte) 0xBD, (byte) 0x8A, 'a', ' '};
    for (int round = 0; round < 50_000; round++) {
      byte[] b = new byte[1 + rnd.nextInt(70)];
      int odds = 1 + rnd.nextInt(30);
      for (int i = 0; i < b.length; i++) {
        b[i] = rnd.nextInt(odds) == 0 ? alphabet[rnd.nextInt(2)] : alphabet[2 + rnd.nextInt(alphabet.length - 2)];
      }
      int from = rnd.nextInt(b.length);
      int end = from + rnd.nextInt(b.length - from + 1);
      int eq = reference(b, from, end, (byte) '=');
      int nl = reference(b, from, end, (byte) '\n');
      int want = eq < 0 ? nl : nl < 0 ? eq : Math.min(eq, nl);
      assertEquals(want, ByteScan.indexOfEither(b, from, end, (byte) '=', (byte) '\n'));
    }
  }

  private static void check(byte value, byte[] others) {
    Random rnd = new Random(7);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[1 + rnd.nextInt(70)];
      int odds = 1 + rnd.nextInt(40);
      for (int i = 0; i < b.length; i++) b[i] = rnd.nextInt(odds) == 0 ? value : others[rnd.nextInt(others.length)];
      int from = rnd.nextInt(b.length);
      int end = from + rnd.nextInt(b.length - from + 1);
      assertEquals(reference(b, from, end, value), ByteScan.indexOf(b, from, end, value));
    }
  }
}
