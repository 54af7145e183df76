package io.dockline.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineBatchCodecTest {
  private static final ContainerMeta META =
      new ContainerMeta("abc123", "web-1", "busybox:1", "host-a", Map.of("app", "web", "tier", "énergie"));

  @Test
  void roundTripKeepsEveryFieldAndExactBytes() {
    LineBatchBuilder b = new LineBatchBuilder();
    byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 'x', (byte) 0xc3};
    b.add(1_700_000_000_123_456_789L, StreamKind.STDOUT.code(), (byte) 0, "hello".getBytes(StandardCharsets.UTF_8), 0, 5);
    b.add(1_700_000_000_123_456_790L, StreamKind.STDERR.code(), LineBatch.FLAG_PARTIAL, notUtf8, 0, notUtf8.length);
    b.add(1_700_000_000_123_456_791L, StreamKind.STDOUT.code(), (byte) 0, new byte[0], 0, 0);
    LineBatch batch = b.take(META, 41, 100, 1 << 20);

    Buffer wire = Buffer.buffer().appendString("prefix");
    new LineBatchCodec().encodeToWire(wire, batch);
    LineBatch back = new LineBatchCodec().decodeFromWire(6, wire);

    assertEquals(META, back.container());
    assertEquals(41, back.firstSeq());
    assertEquals(43, back.lastSeq());
    assertEquals(3, back.count());
    assertEquals("hello", back.lineText(0));
    assertEquals(StreamKind.STDERR, back.stream(1));
    assertTrue(back.partial(1));
    assertFalse(back.partial(0));
    assertArrayEquals(notUtf8, back.lineBytes(1));
    assertEquals(0, back.lineLength(2));
    assertEquals(1_700_000_000_123_456_790L, back.timeNanos(1));
  }

  @Test
  void bigRandomBatchSurvivesTheWire() {
    Random rnd = new Random(7);
    LineBatchBuilder b = new LineBatchBuilder();
    for (int i = 0; i < 5000; i++) {
      byte[] line = new byte[rnd.nextInt(300)];
      rnd.nextBytes(line);
      b.add(i, (byte) (1 + rnd.nextInt(2)), (byte) 0, line, 0, line.length);
    }
    LineBatch batch = b.take(META, 1, 10_000, Integer.MAX_VALUE);
    Buffer wire = Buffer.buffer();
    new LineBatchCodec().encodeToWire(wire, batch);
    LineBatch back = new LineBatchCodec().decodeFromWire(0, wire);
    for (int i = 0; i < batch.count(); i++) {
      assertArrayEquals(batch.lineBytes(i), back.lineBytes(i), "line " + i);
      assertEquals(batch.streamCode(i), back.streamCode(i));
    }
  }

  @Test
  void builderTakesBoundedBatchesAndKeepsTheRestInOrder() {
    LineBatchBuilder b = new LineBatchBuilder();
    for (int i = 0; i < 10; i++) {
      byte[] line = ("line-" + i).getBytes(StandardCharsets.UTF_8);
      b.add(i, (byte) 1, (byte) 0, line, 0, line.length);
    }
    LineBatch first = b.take(META, 1, 4, Integer.MAX_VALUE);
    assertEquals(4, first.count());
    LineBatch bytesBound = b.take(META, 5, 100, 13); // "line-4"+"line-5" = 12 bytes fit, a third does not
    assertEquals(2, bytesBound.count());
    assertEquals("line-5", bytesBound.lineText(1));
    LineBatch rest = b.take(META, 7, 100, Integer.MAX_VALUE);
    assertEquals(4, rest.count());
    assertEquals("line-6", rest.lineText(0));
    assertEquals("line-9", rest.lineText(3));
    assertTrue(b.isEmpty());
    LineBatch tail = rest.tail(2);
    assertEquals(9, tail.firstSeq());
    assertEquals("line-8", tail.lineText(0));
  }

  /**
   * A frame of two lines "ab" and "cde" for container ("i", "n", "m", "h") without labels; its fields are at
   * fixed places: frame length 0, strings from 5, label count 25, first seq 29, line count 37, line headers from
   * 41 (14 bytes each: time, stream, flags, length at +10), text from 69.
   */
  private static Buffer smallFrame() {
    LineBatchBuilder b = new LineBatchBuilder();
    b.add(1, StreamKind.STDOUT.code(), (byte) 0, "ab".getBytes(StandardCharsets.UTF_8), 0, 2);
    b.add(2, StreamKind.STDOUT.code(), (byte) 0, "cde".getBytes(StandardCharsets.UTF_8), 0, 3);
    Buffer wire = Buffer.buffer();
    new LineBatchCodec().encodeToWire(wire, b.take(new ContainerMeta("i", "n", "m", "h", Map.of()), 7, 10, 1 << 20));
    return wire;
  }

  private static String refusal(Buffer frame) {
    return assertThrows(IllegalArgumentException.class, () -> new LineBatchCodec().decodeFromWire(0, frame)).getMessage();
  }

  @Test
  void countsAndLengthsReadOffTheWireAreCheckedBeforeAnythingIsAllocated() {
    Buffer ok = smallFrame();
    assertEquals(74, ok.length());
    LineBatch back = new LineBatchCodec().decodeFromWire(0, ok);
    assertEquals("cde", back.lineText(1));
    assertEquals(7, back.firstSeq());

    // each of these asked for gigabytes (or threw an index error deep inside) before the check
    assertEquals("malformed line-batch frame: line count 1000000000 does not fit the 33 bytes left",
        refusal(smallFrame().setInt(37, 1_000_000_000)));
    assertTrue(refusal(smallFrame().setInt(37, -1)).contains("line count -1"));
    assertTrue(refusal(smallFrame().setInt(25, Integer.MAX_VALUE)).contains("label count"));
    assertTrue(refusal(smallFrame().setInt(5, 1 << 30)).contains("string length"));
    assertTrue(refusal(smallFrame().setInt(5, -5)).contains("string length"));
    assertEquals("malformed line-batch frame: line 1 of 2000000000 bytes does not fit the 3 bytes left",
        refusal(smallFrame().setInt(41 + 14 + 10, 2_000_000_000)));
    assertTrue(refusal(smallFrame().setInt(41 + 10, -1)).contains("line 0 of -1 bytes"));
    assertTrue(refusal(smallFrame().setInt(0, 75)).contains("frame length 75 outside the 74 bytes"));
    assertTrue(refusal(smallFrame().setInt(0, 2)).contains("frame length 2"));
    assertTrue(refusal(Buffer.buffer(new byte[3])).contains("shorter than its header"));
    // the frame length bounds the rest, even when the buffer goes on (a frame inside a larger message)
    Buffer cut = smallFrame().setInt(0, 40);
    assertTrue(refusal(cut).contains("frame ends before the line count"), refusal(cut));
  }

  @Test
  void ackRoundTrip() {
    Buffer wire = Buffer.buffer();
    new BatchAckCodec().encodeToWire(wire, new BatchAck("c1", 99, 10, 3, "col-1"));
    BatchAck back = new BatchAckCodec().decodeFromWire(0, wire);
    assertEquals("c1", back.containerId());
    assertEquals(99, back.storedSeq());
    assertEquals(10, back.written());
    assertEquals(3, back.duplicates());
    assertEquals("col-1", back.collector());
  }
}
