package io.dockline.attach;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds a byte in an array eight bytes at a time: the agent scans every line it reads for its end and for its
 * level, and a byte-at-a-time loop takes several times longer. Pure logic, allocation-free.
 */
public final class ByteScan {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private ByteScan() {}

  /** The first {@code value} in {@code buf[from, end)}, or -1. */
  public static int indexOf(byte[] buf, int from, int end, byte value) {
    long pattern = (value & 0xFFL) * ONES;
    int i = from;
    for (; i + 8 <= end; i += 8) {
      long x = (long) LONGS.get(buf, i) ^ pattern; // a zero byte where there was the value
      long found = (x - ONES) & ~x & HIGHS; // exact for the lowest zero byte, which is the one wanted
      if (found != 0) return i + (Long.numberOfTrailingZeros(found) >>> 3);
    }
    for (; i < end; i++) {
      if (buf[i] == value) return i;
    }
    return -1;
  }

  /** The first {@code a} or {@code b} in {@code buf[from, end)}, or -1: one pass where two would read it twice. */
  public static int indexOfEither(byte[] buf, int from, int end, byte a, byte b) {
    long patternA = (a & 0xFFL) * ONES;
    long patternB = (b & 0xFFL) * ONES;
    int i = from;
    for (; i + 8 <= end; i += 8) {
      long word = (long) LONGS.get(buf, i);
      long x = word ^ patternA;
      long y = word ^ patternB;
      // each mask is exact for its lowest zero byte, so the lowest bit of the two is the first of either
      long found = ((x - ONES) & ~x | (y - ONES) & ~y) & HIGHS;
      if (found != 0) return i + (Long.numberOfTrailingZeros(found) >>> 3);
    }
    for (; i < end; i++) {
      if (buf[i] == a || buf[i] == b) return i;
    }
    return -1;
  }
}
