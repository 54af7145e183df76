package io.dockline.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultilineRuleTest {
  /** Groups {@code lines} with {@code rule} the way the assembler does: each record joined with '\n'. */
  static List<String> group(String rule, String... lines) {
    MultilineRule.State st = MultilineRule.parse(rule).newState();
    List<String> records = new ArrayList<>();
    StringBuilder open = null;
    for (String l : lines) {
      byte[] b = l.getBytes(StandardCharsets.UTF_8);
      if (open != null && st.continues(b, 0, b.length)) {
        open.append('\n').append(l);
        continue;
      }
      if (open != null) records.add(open.toString());
      st.start(b, 0, b.length);
      open = new StringBuilder(l);
    }
    if (open != null) records.add(open.toString());
    return records;
  }

  static final String[] JAVA = {
      "12:00:01 INFO starting",
      "Exception in thread \"main\" java.lang.IllegalStateException: boom",
      "\tat com.example.App.run(App.java:10)",
      "\tat com.example.App.main(App.java:5)",
      "Caused by: java.io.IOException: disk",
      "\tat com.example.Disk.read(Disk.java:3)",
      "\t... 2 more",
      "\tSuppressed: java.lang.RuntimeException: close",
      "\t\tat com.example.Disk.close(Disk.java:9)",
      "12:00:02 INFO next"};

  static final String[] PYTHON = {
      "starting",
      "Traceback (most recent call last):",
      "  File \"/app/x.py\", line 3, in <module>",
      "    f()",
      "KeyError: 'a'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      "  File \"/app/x.py\", line 5, in <module>",
      "    g()",
      "ValueError: bad",
      "after"};

  static final String[] GO = {
      "listening",
      "panic: runtime error: index out of range [3] with length 1",
      "",
      "goroutine 1 [running]:",
      "main.main()",
      "\t/app/main.go:8 +0x1d",
      "net/http.(*conn).serve(0xc000132000, {0x6c1c28, 0xc00010c000})",
      "\t/usr/local/go/src/net/http/server.go:1995 +0x612",
      "created by net/http.(*Server).Serve in goroutine 1",
      "\t/usr/local/go/src/net/http/server.go:3089 +0x5cb",
      "restarting"};

  @Test
  void javaTraceWithCauseAndSuppressedIsOneRecordAndItsFirstLineIsKept() {
    List<String> r = group("java", JAVA);
    assertEquals(3, r.size(), r.toString());
    assertEquals(String.join("\n", List.of(JAVA).subList(1, 9)), r.get(1));
  }

  @Test
  void pythonTracebackEndsAtItsExceptionLineChainedOnesIncluded() {
    List<String> r = group("python", PYTHON);
    assertEquals(List.of("starting", String.join("\n", List.of(PYTHON).subList(1, 12)), "after"), r);
  }

  @Test
  void goPanicWithGoroutineBlocks() {
    List<String> r = group("go", GO);
    assertEquals(List.of("listening", String.join("\n", List.of(GO).subList(1, 10)), "restarting"), r);
  }

  @Test
  void autoRecognisesEachBuiltIn() {
    assertEquals(group("java", JAVA), group("auto", JAVA));
    assertEquals(group("python", PYTHON), group("auto", PYTHON));
    assertEquals(group("go", GO), group("auto", GO));
  }

  @Test
  void plainLinesStayLines() {
    String[] plain = {"GET / 200", "  indented but no frame", "error: something", "at the end", ""};
    assertEquals(List.of(plain), group("auto", plain));
    assertEquals(List.of(plain), group("java", plain));
  }

  @Test
  void regexStartsARecordAtEachMatchingLine() {
    List<String> r = group("regex:^\\d{4}-\\d\\d-\\d\\d ", "2026-01-01 a", "  more", "more", "2026-01-02 b", "x");
    assertEquals(List.of("2026-01-01 a\n  more\nmore", "2026-01-02 b\nx"), r);
  }

  @Test
  void badSpecsAreRefusedWithWhatIsExpected() {
    assertThrows(IllegalArgumentException.class, () -> MultilineRule.parse("ruby"));
    assertThrows(IllegalArgumentException.class, () -> MultilineRule.parse("regex:"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MultilineRule.parse("regex:(a"));
    assertTrue(e.getMessage().startsWith("bad pattern"), e.getMessage());
    // RE2 has no backreferences: a pattern that could blow up a backtracking engine is refused up front
    assertThrows(IllegalArgumentException.class, () -> MultilineRule.parse("regex:(a)\\1"));
    assertFalse(MultilineRule.parse("none").groups());
    assertTrue(MultilineRule.parse(" auto ").groups());
  }

  @Test
  void aContainerLabelOverridesTheNodeSettingAndABadOneFallsBackToIt() {
    MultilineSettings node = new MultilineSettings(MultilineRule.parse("java"), 500, 1 << 20);
    List<String> problems = new ArrayList<>();
    assertEquals(MultilineRule.parse("go"), node.ruleFor(Map.of(MultilineRule.LABEL, "go"), problems::add));
    assertEquals(MultilineRule.parse("java"), node.ruleFor(Map.of(), problems::add));
    assertTrue(problems.isEmpty());
    assertEquals(MultilineRule.parse("java"), node.ruleFor(Map.of(MultilineRule.LABEL, "cobol"), problems::add));
    assertEquals(1, problems.size());
  }
}
