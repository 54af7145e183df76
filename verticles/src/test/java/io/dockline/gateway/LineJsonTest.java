package io.dockline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void ndjsonIsExactlyTheJsonOfEachLine() {
    java.util.List<byte[]> lines = java.util.List.of("plain ascii 123".getBytes(StandardCharsets.UTF_8),
        "quote \" and \\ backslash".getBytes(StandardCharsets.UTF_8), "tab\there\u0001".getBytes(StandardCharsets.UTF_8),
        "héllo ✓ \u2028".getBytes(StandardCharsets.UTF_8), new byte[] {'a', (byte) 0xff, 'b'}, new byte[0],
        "del\u007f</script>".getBytes(StandardCharsets.UTF_8), everyAsciiByte(),
        "{\"ts\":1,\"level\":\"info\",\"msg\":\"a \\\"quoted\\\" word\"}".getBytes(StandardCharsets.UTF_8));
    java.util.Map<String, String> labels = new java.util.HashMap<>(Map.of("app", "x\"y", "é", "✓"));
    for (ContainerMeta meta : java.util.List.of(new ContainerMeta("id1", "n", "img", "h", labels),
        new ContainerMeta("id2", null, null, null, Map.of()))) {
      LineBatchBuilder b = new LineBatchBuilder();
      for (int i = 0; i < lines.size(); i++) {
        byte[] l = lines.get(i);
        b.add(TIMES[i % TIMES.length], (byte) (1 + i % 2), i % 3 == 0 ? LineBatch.FLAG_PARTIAL : 0, l, 0, l.length);
      }
      LineBatch batch = b.take(meta, 41, lines.size(), 1 << 20);
      LineJson.Source source = LineJson.Source.of(batch);
      LineJson.NdjsonWriter writer = new LineJson.NdjsonWriter();
      StringBuilder expected = new StringBuilder();
      for (int i = 0; i < batch.count(); i++) {
        long seq = i == 1 ? 9_007_199_254_740_993L : batch.seq(i);
        writer.append(source, i, seq);
        String one = LineJson.of(batch, i, seq, source.labels()).encode();
        expected.append(one).append('\n');
        // one line alone, as a Kafka record's value
        assertEquals(one, new String(new LineJson.NdjsonWriter().json(source, i, seq), StandardCharsets.UTF_8));
      }
      assertEquals(expected.toString(), text(writer));
      assertEquals(expected.toString().getBytes(StandardCharsets.UTF_8).length, writer.length());
    }
  }

  @Test
  void aLineThatFillsTheWritersArrayExactlyStillFits() {
    // control bytes escape to 6 bytes each, as sized; one '\n' makes it a record of 2 lines; partial; a large seq
    byte[] text = new byte[2001];
    java.util.Arrays.fill(text, (byte) 1);
    text[1000] = '\n';
    LineBatchBuilder b = new LineBatchBuilder();
    b.add(1_700_000_000_123_456_789L, (byte) 1, LineBatch.FLAG_PARTIAL, text, 0, text.length);
    LineBatch batch = b.take(new ContainerMeta("id1", "n", "img", "h", Map.of()), 1, 1, 1 << 20);
    LineJson.Source source = LineJson.Source.of(batch);
    LineJson.NdjsonWriter writer = new LineJson.NdjsonWriter();
    writer.append(source, 0, Long.MAX_VALUE);
    assertEquals(LineJson.of(batch, 0, Long.MAX_VALUE, source.labels()).encode() + "\n", text(writer));
  }

  @Test
  void ndjsonComesInBoundedPieces() {
    byte[] big = new byte[LineJson.NdjsonWriter.PIECE_BYTES + 10];
    java.util.Arrays.fill(big, (byte) 'x');
    byte[] small = "a line of some length, written many times over".getBytes(StandardCharsets.UTF_8);
    LineBatchBuilder b = new LineBatchBuilder();
    for (int i = 0; i < 40_000; i++) {
      byte[] l = i == 20_000 ? big : small;
      b.add(1_700_000_000_000_000_000L + i * 1_000_000L, (byte) 1, (byte) 0, l, 0, l.length);
    }
    LineBatch batch = b.take(new ContainerMeta("id1", "n", "img", "h", Map.of()), 1, 40_000, 64 << 20);
    LineJson.Source source = LineJson.Source.of(batch);
    LineJson.NdjsonWriter writer = new LineJson.NdjsonWriter();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < batch.count(); i++) {
      writer.append(source, i, batch.seq(i));
      expected.append(LineJson.of(batch, i, source.labels()).encode()).append('\n');
    }
    assertEquals(expected.toString(), text(writer));
    assertTrue(writer.pieces().size() > 3, "pieces: " + writer.pieces().size());
    for (io.vertx.core.buffer.Buffer piece : writer.pieces()) {
      assertTrue(piece.length() <= LineJson.NdjsonWriter.PIECE_BYTES || piece.length() < big.length + 400,
          "a piece of " + piece.length() + " bytes");
    }
  }

  private static String text(LineJson.NdjsonWriter writer) {
    io.vertx.core.buffer.Buffer all = io.vertx.core.buffer.Buffer.buffer();
    writer.pieces().forEach(all::appendBuffer);
    return all.toString(StandardCharsets.UTF_8);
  }

  /** Times the writer renders from a second it rendered before, a new second, a new day, before 1970. */
  private static final long[] TIMES = {1_700_000_000_123_456_789L, 1_700_000_000_999_999_999L, 1_700_000_001_000_000_000L,
      1_700_006_400_000_000_001L, 1_700_006_399_999_999_999L, -1L, -1_000_000_000L, 0L};

  private static byte[] everyAsciiByte() {
    byte[] all = new byte[128];
    for (int i = 0; i < all.length; i++) all[i] = (byte) i;
    return all;
  }
}
