package io.dockline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void controlCharactersAreShownEscapedAndTheRestIsKept() {
    String plain = "GET /x 200\tin 3 ms, énergie ✓ C:\\path";
    assertSame(plain, Printable.escape(plain));
    assertEquals("a\\n2026-01-01 SEVERE forged\\r", Printable.escape("a\n2026-01-01 SEVERE forged\r"));
    assertEquals("\\e]0;title\\x07\\e[31mred\\e[0m", Printable.escape("\u001b]0;title\u0007\u001b[31mred\u001b[0m"));
    assertEquals("\\x00\\x7f\\x9b\\u2028", Printable.escape("\u0000\u007f\u009b\u2028"));
  }
}
