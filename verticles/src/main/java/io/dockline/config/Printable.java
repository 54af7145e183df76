package io.dockline.config;

/**
 * Text from outside (container output, names, labels, error messages quoting them) made safe to print on one
 * line of a log or a terminal: control characters are shown escaped, so a line cannot start a forged log line
 * (newline, carriage return) or drive the operator's terminal (ESC sequences). Tabs stay (stack traces indent
 * with them); everything else prints as it is.
 */
public final class Printable {
  private Printable() {}

  /**
   * Newline, carriage return and ESC as backslash n, r, e; other C0 and C1 controls, DEL and the Unicode line
   * and paragraph separators as backslash x and two hex digits, or backslash u and four.
   */
  public static String escape(CharSequence s) {
    if (s == null) return null;
    int i = 0;
    while (i < s.length() && !escaped(s.charAt(i))) i++;
    if (i == s.length()) return s.toString();
    StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!escaped(c)) out.append(c);
      else if (c == '\n') out.append("\\n");
      else if (c == '\r') out.append("\\r");
      else if (c == 0x1b) out.append("\\e");
      else if (c <= 0xff) out.append(String.format("\\x%02x", (int) c));
      else out.append(String.format("\\u%04x", (int) c));
    }
    return out.toString();
  }

  private static boolean escaped(char c) {
    return (Character.isISOControl(c) && c != '\t') || c == '\u2028' || c == '\u2029';
  }
}
