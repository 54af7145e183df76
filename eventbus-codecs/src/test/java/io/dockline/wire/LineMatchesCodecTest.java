package io.dockline.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineMatchesCodecTest {
  private static final ContainerMeta META = new ContainerMeta("abc123", "web-1", "busybox:1", "host-a", Map.of("app", "web"));

  @Test
  void roundTripKeepsTheSeqsTheScannedRangeAndTheLines() {
    LineBatchBuilder b = new LineBatchBuilder();
    b.add(7, StreamKind.STDOUT.code(), (byte) 0, "one hit".getBytes(StandardCharsets.UTF_8), 0, 7);
    b.add(9, StreamKind.STDERR.code(), LineBatch.FLAG_PARTIAL, "hit two".getBytes(StandardCharsets.UTF_8), 0, 7);
    LineMatches m = new LineMatches(b.take(META, 12, 10, 1 << 20), new long[] {12, 40}, 3, 1002);

    Buffer wire = Buffer.buffer().appendString("xy");
    new LineMatchesCodec().encodeToWire(wire, m);
    LineMatches back = new LineMatchesCodec().decodeFromWire(2, wire);

    assertEquals(3, back.scannedFrom());
    assertEquals(1002, back.scannedThrough());
    assertEquals(2, back.count());
    assertEquals(12, back.seq(0));
    assertEquals(40, back.seq(1));
    assertEquals(META, back.lines().container());
    assertArrayEquals("hit two".getBytes(StandardCharsets.UTF_8), back.lines().lineBytes(1));
    assertEquals(StreamKind.STDERR, back.lines().stream(1));
    assertEquals(9, back.lines().timeNanos(1));
  }

  @Test
  void anEmptyAnswerSaysNothingWasScannedAndAMalformedFrameFailsClearly() {
    LineMatches empty = new LineMatches(new LineBatchBuilder().take(META, 5, 10, 1 << 20), new long[0], 5, 4);
    Buffer wire = Buffer.buffer();
    new LineMatchesCodec().encodeToWire(wire, empty);
    LineMatches back = new LineMatchesCodec().decodeFromWire(0, wire);
    assertEquals(false, back.scannedAny());
    Buffer bad = wire.copy();
    bad.setInt(17, Integer.MAX_VALUE);
    assertThrows(IllegalArgumentException.class, () -> new LineMatchesCodec().decodeFromWire(0, bad));
  }
}
