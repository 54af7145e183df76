package io.dockline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineJsonTest {
  @Test
  void validUtf8IsPlainTextAndInvalidKeepsItsBytes() {
    LineBatchBuilder b = new LineBatchBuilder();
    byte[] ok = "héllo ✓".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {'a', (byte) 0xff, 'b'};
    b.add(1_000_000_000_000_000_001L, (byte) 1, (byte) 0, ok, 0, ok.length);
    b.add(1_000_000_000_000_000_002L, (byte) 2, LineBatch.FLAG_PARTIAL, bad, 0, bad.length);
    LineBatch batch = b.take(new ContainerMeta("id1", "n", "img", "h", Map.of("k", "v")), 7, 10, 1 << 20);
    JsonObject labels = LineJson.labelsOf(batch);

    JsonObject first = LineJson.of(batch, 0, labels);
    assertEquals("héllo ✓", first.getString("line"));
    assertNull(first.getValue("lineBase64"));
    assertFalse(first.containsKey("partial"));
    assertEquals("2001-09-09T01:46:40.000000001Z", first.getString("time"));
    assertEquals(7L, first.getLong("seq"));

    JsonObject second = LineJson.of(batch, 1, labels);
    assertEquals("a\uFFFDb", second.getString("line"));
    assertEquals(Base64.getEncoder().encodeToString(bad), second.getString("lineBase64"));
    assertEquals("stderr", second.getString("stream"));
    assertEquals(true, second.getBoolean("partial"));
    assertEquals("v", second.getJsonObject("labels").getString("k"));
  }

  @Test
  void timeIsTheRfc3339FormOfEveryInstant() {
    java.time.format.DateTimeFormatter reference = java.time.format.DateTimeFormatter
        .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);
    java.util.Random random = new java.util.Random(17);
    long[] edges = {0, 1, -1, 999_999_999, 1_000_000_000, 951_782_400_000_000_000L /* 2000-02-29 */, Long.MAX_VALUE, Long.MIN_VALUE};
    for (int i = 0; i < 100_000 + edges.length; i++) {
      long nanos = i < edges.length ? edges[i] : random.nextLong();
      String expected = reference.format(java.time.Instant.ofEpochSecond(
          Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
      assertEquals(expected, LineJson.formatTime(nanos), "at " + nanos);
    }
  }
}
