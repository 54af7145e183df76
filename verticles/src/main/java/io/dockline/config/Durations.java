package io.dockline.config;

import java.time.Duration;

/** The one parser of durations written by people: settings and labels such as {@code 7d}, {@code 12h}. */
public final class Durations {
  private Durations() {}

  /**
   * A whole number followed by one unit: {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} or {@code w}
   * (e.g. {@code 90s}, {@code 3d}).
   *
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    int unitStart = 0;
    while (unitStart < t.length() && Character.isDigit(t.charAt(unitStart))) unitStart++;
    if (unitStart == 0 || unitStart > 18) throw invalid(text);
    long n = Long.parseLong(t.substring(0, unitStart));
    try {
      return switch (t.substring(unitStart)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        case "w" -> Duration.ofDays(Math.multiplyExact(n, 7));
        default -> throw invalid(text);
      };
    } catch (ArithmeticException e) {
      throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("not a duration: '" + text
        + "' (a whole number and a unit: ms, s, m, h, d or w, e.g. 90s, 12h, 7d)");
  }
}
