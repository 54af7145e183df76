package io.dockline.attach.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.attach.MultilineRule;
import io.dockline.wire.LineBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordAssemblerTest {
  private static final long FLUSH = 500_000_000L;
  private final List<String> out = new ArrayList<>();
  private final List<Object> tags = new ArrayList<>();

  private RecordAssembler assembler(String rule, int maxRecordBytes) {
    return new RecordAssembler(MultilineRule.parse(rule), FLUSH, maxRecordBytes, (s, flags, t, b, off, len, boundary, tag) -> {
      out.add((s == 1 ? "out" : "err") + ((flags & LineBatch.FLAG_PARTIAL) != 0 ? "+" : "") + (boundary ? "" : "~") + "@"
          + t + ":" + new String(b, off, len, StandardCharsets.UTF_8));
      tags.add(tag);
    });
  }

  private static void feed(RecordAssembler a, int stream, long t, String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    a.feed((byte) stream, (byte) 0, t, b, 0, b.length, line, t);
  }

  @Test
  void streamsNeverMixAndARecordCarriesItsFirstTimeAndLastTag() {
    RecordAssembler a = assembler("java", 1 << 20);
    feed(a, 1, 1, "Exception in thread \"main\" java.lang.X");
    feed(a, 2, 2, "java.lang.Y: on stderr");
    feed(a, 1, 3, "\tat A.a(A.java:1)");
    feed(a, 2, 4, "\tat B.b(B.java:2)");
    feed(a, 1, 5, "next out");
    feed(a, 2, 6, "next err");
    a.finish();
    assertEquals(List.of("out@1:Exception in thread \"main\" java.lang.X\n\tat A.a(A.java:1)",
        "err@2:java.lang.Y: on stderr\n\tat B.b(B.java:2)", "out@5:next out", "err@6:next err"), out);
    assertEquals(List.of("\tat A.a(A.java:1)", "\tat B.b(B.java:2)", "next out", "next err"), tags);
  }

  @Test
  void aRecordOverTheCapIsCutIntoPiecesAllButTheLastPartialAndNotBoundaries() {
    RecordAssembler a = assembler("java", 16);
    feed(a, 1, 1, "E: 0123456789");      // 13 bytes
    feed(a, 1, 2, "\tat a(b.java:1)");   // cut after the newline and 2 more bytes
    feed(a, 1, 3, "plain");
    a.finish();
    assertEquals(List.of("out+~@1:E: 0123456789\n\ta", "out@2:t a(b.java:1)", "out@3:plain"), out);
  }

  @Test
  void idleFlushEmitsWithoutANextLineAndAGapStartsARecord() {
    RecordAssembler a = assembler("java", 1 << 20);
    feed(a, 1, 0, "Exception: x");
    assertEquals(FLUSH, a.flushIdle(1));
    assertTrue(out.isEmpty());
    assertEquals(Long.MAX_VALUE, a.flushIdle(FLUSH));
    assertEquals(List.of("out@0:Exception: x"), out);
    // a continuation after the flush, or stamped more than the flush time later, starts a record of its own
    feed(a, 1, FLUSH + 1, "Exception: y");
    feed(a, 1, 3 * FLUSH, "\tat a(b.java:1)");
    a.finish();
    assertEquals(List.of("out@0:Exception: x", "out@" + (FLUSH + 1) + ":Exception: y", "out@" + 3 * FLUSH + ":\tat a(b.java:1)"), out);
    assertEquals(0, a.heldBytes());
  }

  @Test
  void piecesOfALongLineAreJoinedAsTheyWere() {
    RecordAssembler a = assembler("java", 1 << 20);
    byte[] p = "Exception: a very long".getBytes(StandardCharsets.UTF_8);
    a.feed((byte) 1, LineBatch.FLAG_PARTIAL, 1, p, 0, p.length, null, 1);
    feed(a, 1, 1, " message");
    feed(a, 1, 2, "\tat x(y.java:1)");
    a.finish();
    assertEquals(List.of("out@1:Exception: a very long message\n\tat x(y.java:1)"), out);
  }

  @Test
  void theOpenRecordsFirstTimeIsKnownUntilItEnds() {
    RecordAssembler a = assembler("java", 16);
    feed(a, 2, 7, "E: 0123456789");
    feed(a, 2, 8, "\tat a(b.java:1)"); // a piece went out, the record is still open
    long[] times = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    a.earliestOpen(times);
    assertEquals(Long.MAX_VALUE, times[1]);
    assertEquals(7, times[2]);
    a.finish();
    times[2] = Long.MAX_VALUE;
    a.earliestOpen(times);
    assertEquals(Long.MAX_VALUE, times[2]);
  }
}
