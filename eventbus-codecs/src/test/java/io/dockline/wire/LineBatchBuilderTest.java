package io.dockline.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineBatchBuilderTest {
  private static final ContainerMeta META = new ContainerMeta("c1", "c1", "img", "h", Map.of());

  /**
   * Adds and takes interleaved at random, in every size (whole backlog, part of it, one line, empty lines):
   * the batches hold exactly the lines added, in order, and a batch already taken never changes afterwards
   * (the builder reuses its arrays for the next lines).
   */
  @Test
  void batchesHoldExactlyTheLinesAddedInOrderAndNeverChangeAfterwards() {
    Random rnd = new Random(42);
    LineBatchBuilder b = new LineBatchBuilder();
    ArrayDeque<String> model = new ArrayDeque<>();
    java.util.List<LineBatch> taken = new java.util.ArrayList<>();
    java.util.List<java.util.List<String>> expected = new java.util.ArrayList<>();
    long next = 0;
    long seq = 1;
    for (int step = 0; step < 20_000; step++) {
      if (rnd.nextInt(3) > 0) {
        int lines = rnd.nextInt(rnd.nextBoolean() ? 5 : 300);
        for (int i = 0; i < lines; i++) {
          String text = "line " + next + " " + "x".repeat(rnd.nextInt(rnd.nextInt(10) == 0 ? 5000 : 40));
          if (rnd.nextInt(50) == 0) text = "";
          byte[] bytes = ("<" + text + ">").getBytes(StandardCharsets.UTF_8);
          b.add(next, (byte) (next % 2 + 1), (byte) (next % 3 == 0 ? 1 : 0), bytes, 1, bytes.length - 2);
          model.add(text);
          next++;
        }
      } else if (!b.isEmpty()) {
        int maxLines = rnd.nextBoolean() ? Integer.MAX_VALUE : 1 + rnd.nextInt(200);
        int maxBytes = rnd.nextBoolean() ? Integer.MAX_VALUE : 1 + rnd.nextInt(20_000);
        int before = b.count();
        LineBatch batch = b.take(META, seq, maxLines, maxBytes);
        assertTrue(batch.count() >= 1 && batch.count() <= Math.min(before, maxLines));
        assertEquals(before - batch.count(), b.count());
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < batch.count(); i++) lines.add(model.poll());
        seq += batch.count();
        taken.add(batch);
        expected.add(lines);
      }
      assertEquals(model.size(), b.count());
    }
    long firstTime = 0;
    for (int k = 0; k < taken.size(); k++) {
      LineBatch batch = taken.get(k);
      java.util.List<String> lines = expected.get(k);
      assertEquals(lines.size(), batch.count());
      for (int i = 0; i < batch.count(); i++) {
        assertEquals(lines.get(i), batch.lineText(i));
        long t = firstTime + i;
        assertEquals(t, batch.timeNanos(i));
        assertEquals((byte) (t % 2 + 1), batch.streamCode(i));
        assertEquals((byte) (t % 3 == 0 ? 1 : 0), batch.flags(i));
        assertArrayEquals(lines.get(i).getBytes(StandardCharsets.UTF_8), batch.lineBytes(i));
      }
      firstTime += batch.count();
    }
  }

  @Test
  void aBatchOverTheByteLimitStillTakesOneLine() {
    LineBatchBuilder b = new LineBatchBuilder();
    byte[] big = new byte[10_000];
    b.add(1, (byte) 1, (byte) 0, big, 0, big.length);
    b.add(2, (byte) 1, (byte) 0, big, 0, 10);
    LineBatch first = b.take(META, 1, 100, 100);
    assertEquals(1, first.count());
    assertEquals(10_000, first.dataLength());
    assertEquals(1, b.count());
    assertEquals(10, b.dataLength());
  }

  /** The arrays a burst grew are kept while batches stay large, and given back once they are small again. */
  @Test
  void aBurstsArraysAreKeptForLargeBatchesAndGivenBackAfterSmallOnes() {
    LineBatchBuilder b = new LineBatchBuilder();
    byte[] line = new byte[100];
    long t = 0;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 10_000; i++) b.add(t++, (byte) 1, (byte) 0, line, 0, line.length);
      b.take(META, 1, Integer.MAX_VALUE, 4 << 20);
    }
    int burst = b.capacityBytes();
    assertTrue(burst >= 1_000_000, "grown for the burst: " + burst);
    for (int i = 0; i < 7; i++) {
      b.add(t++, (byte) 1, (byte) 0, line, 0, line.length);
      b.take(META, 1, Integer.MAX_VALUE, 4 << 20);
      assertEquals(burst, b.capacityBytes(), "kept over a few small batches");
    }
    b.add(t++, (byte) 1, (byte) 0, line, 0, line.length);
    b.take(META, 1, Integer.MAX_VALUE, 4 << 20);
    assertTrue(b.capacityBytes() <= 4096, "given back: " + b.capacityBytes());
  }

  @Test
  void arraysFarLargerThanTwoBatchesAreGivenBackAtOnce() {
    LineBatchBuilder b = new LineBatchBuilder();
    byte[] line = new byte[1000];
    for (int i = 0; i < 10_000; i++) b.add(i, (byte) 1, (byte) 0, line, 0, line.length);
    assertTrue(b.capacityBytes() >= 10_000_000);
    while (!b.isEmpty()) b.take(META, 1, Integer.MAX_VALUE, 1 << 20);
    assertTrue(b.capacityBytes() <= 2 << 20, "a 10 MB backlog's array is not held for 1 MB batches: " + b.capacityBytes());
  }
}
