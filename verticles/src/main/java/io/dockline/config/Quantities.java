package io.dockline.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes, durations and free-disk amounts written by people (settings, API parameters): sizes and free disk
 * are parsed here, durations by {@link Durations}, the one parser of them.
 *
 * <ul>
 *   <li>sizes: a whole number of bytes, or with a unit {@code KiB MiB GiB TiB} (powers of 1024) or
 *       {@code KB MB GB TB} (powers of 1000), {@code B} optional: {@code 1GiB}, {@code 512 MiB}, {@code 4096};</li>
 *   <li>durations: as {@link Durations} parses them (a whole number and a unit): {@code 7d}, {@code 90s}, {@code 1h};</li>
 *   <li>free disk: a size, or a percentage of the file system's size: {@code 5%}, {@code 0.5%}.</li>
 * </ul>
 * {@code none} means no limit where a caller allows it. Errors are {@link IllegalArgumentException}s whose
 * message says what was expected.
 */
public final class Quantities {
  public static final String NONE = "none";
  private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([KMGT]i?)?B?", Pattern.CASE_INSENSITIVE);
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,2}(?:\\.\\d{1,3})?)\\s*%");

  private Quantities() {}

  /** Bytes of a size such as {@code 1GiB}; {@link Long#MAX_VALUE} for {@code none} when {@code noneAllowed}. */
  public static long bytes(String text, boolean noneAllowed) {
    String t = text.trim();
    if (noneAllowed && NONE.equalsIgnoreCase(t)) return Long.MAX_VALUE;
    Matcher m = SIZE.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a size such as 4096, 512MiB or 1GiB" + (noneAllowed ? ", or none" : ""));
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
    long per = unit.isEmpty() ? 1 : power(unit.endsWith("I") ? 1024 : 1000, "KMGT".indexOf(unit.charAt(0)) + 1);
    if (n > Long.MAX_VALUE / per) throw new IllegalArgumentException("size too large: " + t);
    return n * per;
  }

  /** A duration such as {@code 7d} ({@link Durations}); null for {@code none} when {@code noneAllowed}. */
  public static Duration duration(String text, boolean noneAllowed) {
    String t = text.trim();
    if (noneAllowed && NONE.equalsIgnoreCase(t)) return null;
    try {
      return Durations.parse(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected a duration such as 90s, 15m, 1h or 7d" + (noneAllowed ? ", or none" : ""));
    }
  }

  /** Free disk to keep: a percentage of the file system or a size. */
  public record FreeDisk(double percent, long bytes) {
    public static FreeDisk parse(String text) {
      Matcher m = PERCENT.matcher(text.trim());
      if (m.matches()) return new FreeDisk(Double.parseDouble(m.group(1)), 0);
      try {
        return new FreeDisk(0, Quantities.bytes(text, false));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("expected a percentage below 100 such as 5% or a size such as 5GiB");
      }
    }

    /** The bytes to keep free on a file system of {@code totalBytes}. */
    public long of(long totalBytes) {
      return bytes > 0 ? bytes : (long) (totalBytes * percent / 100);
    }

    @Override
    public String toString() {
      return bytes > 0 ? bytes + " bytes" : percent + "%";
    }
  }

  private static long power(long base, int exp) {
    long r = 1;
    for (int i = 0; i < exp; i++) r *= base;
    return r;
  }
}
