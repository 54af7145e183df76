package io.dockline.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dockline.wire.LogLevel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LevelDetectorTest {
  private static LogLevel of(String line) {
    byte[] b = ("xx" + line + "yy").getBytes(StandardCharsets.UTF_8);
    return LevelDetector.detect(b, 2, b.length - 4); // a slice, as lines are handed on
  }

  @Test
  void jsonStringAndPinoNumberLevels() {
    assertEquals(LogLevel.ERROR, of("{\"time\":1,\"level\":\"ERROR\",\"msg\":\"x\"}"));
    assertEquals(LogLevel.WARN, of("{\"lvl\": \"Warning\"}"));
    assertEquals(LogLevel.FATAL, of("{\"severity\":\"CRITICAL\",\"message\":\"disk\"}"));
    assertEquals(LogLevel.INFO, of("{\"level\":30,\"time\":1,\"msg\":\"pino\"}"));
    assertEquals(LogLevel.TRACE, of("{\"level\":10}"));
    assertEquals(LogLevel.DEBUG, of("{\"level\":20}"));
    assertEquals(LogLevel.WARN, of("{\"level\":40}"));
    assertEquals(LogLevel.ERROR, of("{\"level\":50}"));
    assertEquals(LogLevel.FATAL, of("{\"level\":60}"));
    // a value that merely mentions a level, a key that is not one, a number out of pino's range
    assertEquals(LogLevel.NONE, of("{\"msg\":\"level\",\"text\":\"error\"}"));
    assertEquals(LogLevel.NONE, of("{\"levels\":\"error\"}"));
    assertEquals(LogLevel.NONE, of("{\"level\":7}"));
    assertEquals(LogLevel.NONE, of("{\"level\":500}"));
    assertEquals(LogLevel.NONE, of("{\"msg\":\"a \\\"level\\\": error\"}"));
  }

  @Test
  void logfmt() {
    assertEquals(LogLevel.WARN, of("time=2026-01-01T00:00:00Z level=warn msg=\"slow\""));
    assertEquals(LogLevel.ERROR, of("ts=1 lvl=\"error\" msg=x"));
    assertEquals(LogLevel.NONE, of("msg=\"level=error\" other=1"));
    assertEquals(LogLevel.NONE, of("loglevel=error"));
  }

  @Test
  void leadingTokens() {
    assertEquals(LogLevel.ERROR, of("ERROR something broke"));
    assertEquals(LogLevel.WARN, of("[WARN] disk 90%"));
    assertEquals(LogLevel.WARN, of("warning: deprecated"));
    assertEquals(LogLevel.INFO, of("INFO: started"));
    assertEquals(LogLevel.DEBUG, of("<debug> x"));
    assertEquals(LogLevel.ERROR, of("E1129 10:00:00.123456 1 main.go:10] failed"));
    assertEquals(LogLevel.INFO, of("I1129 10:00:00.123456 1 main.go:10] ok"));
    assertEquals(LogLevel.ERROR, of("2026-11-30 06:00:00,123 ERROR [main] x"));
    assertEquals(LogLevel.WARN, of("[2026-11-30T06:00:00Z] WARN x"));
    assertEquals(LogLevel.INFO, of("06:00:00.123 info x"));
    assertEquals(LogLevel.FATAL, of("FATAL"));
  }

  @Test
  void aLevelWordInTheMiddleIsNotALevel() {
    assertEquals(LogLevel.NONE, of("request failed with error 500"));
    assertEquals(LogLevel.NONE, of("GET /error 200"));
    assertEquals(LogLevel.NONE, of("the warning light is on"));
    assertEquals(LogLevel.NONE, of("Errors: 0"));
    assertEquals(LogLevel.NONE, of("E12 x"));
    assertEquals(LogLevel.NONE, of(""));
    assertEquals(LogLevel.NONE, of("   "));
  }

  @Test
  void aRecordsLevelIsItsFirstLines() {
    assertEquals(LogLevel.NONE, of("Exception in thread \"main\" x\n\tat ERROR a"));
    assertEquals(LogLevel.ERROR, of("ERROR boom\n\tat a"));
    assertEquals(LogLevel.INFO, of("INFO\nERROR"));
    assertEquals(LogLevel.NONE, of("2024-01-01T00:00:00Z\nERROR x"));
    assertEquals(LogLevel.NONE, of("\nERROR x"));
    assertEquals(LogLevel.NONE, of("starting\nlevel=error"));
    assertEquals(LogLevel.WARN, of("level=warn\nx"));
    assertEquals(LogLevel.ERROR, of("msg=x level=error\nlevel=info"));
    assertEquals(LogLevel.NONE, of("ts=1 level=\"err\nor\""));
    assertEquals(LogLevel.NONE, of("{\"msg\": \"x\",\n \"level\": \"error\"}"));
    assertEquals(LogLevel.ERROR, of("{\"level\": \"error\",\n \"msg\": \"x\"}"));
  }

  @Test
  void theLevelTravelsInTheFlagsBitsBesidePartial() {
    for (LogLevel l : LogLevel.values()) {
      byte f = l.into(io.dockline.wire.LineBatch.FLAG_PARTIAL);
      assertEquals(l, LogLevel.ofFlags(f));
      assertEquals(io.dockline.wire.LineBatch.FLAG_PARTIAL, f & io.dockline.wire.LineBatch.FLAG_PARTIAL);
    }
    assertEquals(LogLevel.NONE, LogLevel.ofFlags((byte) 0)); // what earlier releases wrote
    assertEquals(LogLevel.NONE, LogLevel.ofFlags((byte) 1));
  }
}
