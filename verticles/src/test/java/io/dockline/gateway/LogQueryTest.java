package io.dockline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogQueryTest {
  private static final long NOW = 1_795_000_000_000_000_000L;

  private static LogQuery parse(Map<String, String> params) {
    return LogQuery.parse(params::get, NOW);
  }

  @Test
  void defaultsReadFromTheStart() {
    LogQuery q = parse(Map.of());
    assertEquals(0, q.after);
    assertEquals(LogQuery.DEFAULT_LIMIT, q.limit);
    assertNull(q.since);
    assertNull(q.tail);
    assertFalse(q.follow);
  }

  @Test
  void timesAreRfc3339UnixSecondsOrAges() {
    assertEquals("2026-11-29T04:00:00.000000000Z", parse(Map.of("since", "2026-11-29T05:00:00+01:00")).since);
    assertEquals("2026-11-18T11:06:40.500000000Z", parse(Map.of("since", "1795000000.5")).since);
    assertEquals(LineJson.formatTime(NOW - 600_000_000_000L), parse(Map.of("since", "10m")).since);
    assertEquals(LineJson.formatTime(NOW - 1_500_000_000L), parse(Map.of("until", "1500ms")).until);
    assertEquals(LineJson.formatTime(NOW - 86_400_000_000_000L), parse(Map.of("since", "1d")).since);
  }

  @Test
  void badParametersAre400NamingTheParameter() {
    for (Map<String, String> bad : java.util.List.of(Map.of("limit", "0"), Map.of("limit", "100001"),
        Map.of("after", "-1"), Map.of("after", "x"), Map.of("since", "yesterday"), Map.of("until", "10 m"),
        Map.of("follow", "yes"), Map.of("tail", "-2"))) {
      ApiException e = assertThrows(ApiException.class, () -> parse(bad), bad.toString());
      assertEquals(400, e.status);
      assertTrue(e.getMessage().contains("'" + bad.keySet().iterator().next() + "'"), e.getMessage());
    }
    assertEquals(400, assertThrows(ApiException.class, () -> parse(Map.of("since", "1m", "until", "1h"))).status);
    // numbers past a long, and times past what epoch nanoseconds hold, are bad parameters too (not a 500)
    for (String huge : java.util.List.of("99999999999999999999s", "9999999999999d", "99999999999999999999",
        "9999999999", "+999999999-01-01T00:00:00Z")) {
      for (String name : java.util.List.of("since", "until")) {
        ApiException e = assertThrows(ApiException.class, () -> parse(Map.of(name, huge)), huge);
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
      }
    }
    assertEquals(400, assertThrows(ApiException.class, () -> parse(Map.of("follow", "true", "until", "1h"))).status);
    assertEquals(400, assertThrows(ApiException.class, () -> parse(Map.of("tail", "5", "since", "1h"))).status);
  }

  @Test
  void filtersByTimeBoundsInclusiveAndText() {
    LogQuery q = parse(Map.of("since", "2026-11-29T04:00:00Z", "until", "2026-11-29T04:00:01Z", "text", "ERROR"));
    assertTrue(q.matches(line("2026-11-29T04:00:00.000000000Z", "an ERROR here")));
    assertTrue(q.matches(line("2026-11-29T04:00:01.000000000Z", "ERROR")));
    assertFalse(q.matches(line("2026-11-29T04:00:00.500000000Z", "all fine")));
    assertFalse(q.matches(line("2026-11-29T03:59:59.999999999Z", "ERROR")));
    assertTrue(q.pastUntil(line("2026-11-29T04:00:01.000000001Z", "ERROR")));
  }

  @Test
  void textMatchesTheRenderedLineWhetherOrNotItIsUtf8() {
    LogQuery q = parse(Map.of("text", "é\uFFFDx"));
    assertTrue(q.matches(line("2026-11-29T04:00:00Z", new byte[] {'a', (byte) 0xc3, (byte) 0xa9, (byte) 0xff, 'x'})));
    assertFalse(q.matches(line("2026-11-29T04:00:00Z", new byte[] {'a', (byte) 0xc3, (byte) 0xa9, 'x'})));
    assertTrue(parse(Map.of("text", "é")).matches(line("2026-11-29T04:00:00Z", "café".getBytes(UTF_8))));
  }

  private static StoredLine line(String time, String text) {
    return line(time, text.getBytes(UTF_8));
  }

  private static StoredLine line(String time, byte[] text) {
    java.time.Instant t = java.time.Instant.parse(time);
    LineBatchBuilder b = new LineBatchBuilder();
    b.add(t.getEpochSecond() * 1_000_000_000L + t.getNano(), (byte) 1, (byte) 0, text, 0, text.length);
    LineBatch batch = b.take(new ContainerMeta("id1", "n", "img", "h", Map.of()), 1, 1, 1 << 20);
    return new StoredLine(LineJson.Source.of(batch), 0, batch.seq(0));
  }

  @Test
  void bridgeEntriesAreExactOrPrefixes() {
    java.util.List<String> entries = java.util.List.of("dockline.api.logs", "dockline.tail.*");
    assertTrue(Bridge.isPermitted(entries, "dockline.api.logs"));
    assertFalse(Bridge.isPermitted(entries, "dockline.api.logs.x"));
    assertTrue(Bridge.isPermitted(entries, "dockline.tail.web-1"));
    assertFalse(Bridge.isPermitted(entries, "dockline.router.batch"));
    assertEquals("\\Qdockline.tail.\\E.*", Bridge.permitted("dockline.tail.*").getAddressRegex());
    assertEquals("dockline.api.logs", Bridge.permitted("dockline.api.logs").getAddress());
  }
}
