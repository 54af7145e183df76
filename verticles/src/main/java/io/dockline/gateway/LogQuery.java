package io.dockline.gateway;

import io.dockline.collector.TextFilter;
import io.dockline.config.Quantities;
import io.dockline.wire.LogLevel;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The parameters of a log read, the same over HTTP query parameters and bridge request bodies. Times are
 * RFC 3339 ({@code 2026-11-29T04:00:00Z}), Unix seconds ({@code 1795000000.5}) or an age ({@code 90s},
 * {@code 5m}, {@code 2h}, {@code 1d}: that long before now).
 */
final class LogQuery {
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 100_000;
  /** An age, parsed by {@link Quantities#duration}: digits then a unit, nothing else. */
  private static final Pattern AGE = Pattern.compile("\\d+[a-zA-Z]+");

  /** Lines with seq above this. */
  final long after;
  /** Only lines at or after / at or before these times (RFC 3339 strings as lines carry them), or null. */
  final String since;
  final String until;
  /** Only lines containing this text, or null. */
  final String text;
  /** The text as a filter, or null. */
  final TextFilter filter;
  final int limit;
  /** Start with the last {@code tail} lines, or null. */
  final Long tail;
  final boolean follow;
  /** Only lines of these levels, or null for any. */
  final EnumSet<LogLevel> levels;

  private LogQuery(long after, String since, String until, String text, int limit, Long tail, boolean follow,
                   EnumSet<LogLevel> levels) {
    this.after = after;
    this.since = since;
    this.until = until;
    this.text = text;
    this.filter = text == null ? null : TextFilter.of(text);
    this.limit = limit;
    this.tail = tail;
    this.follow = follow;
    this.levels = levels;
  }

  /** @throws ApiException 400 naming the bad parameter */
  static LogQuery parse(Function<String, String> param, long nowNanos) {
    long after = number(param, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) number(param, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String tailParam = param.apply("tail");
    Long tail = blank(tailParam) ? null : number(param, "tail", 0, 0, MAX_LIMIT);
    String since = time(param, "since", nowNanos);
    String until = time(param, "until", nowNanos);
    String text = param.apply("text");
    boolean follow = bool(param, "follow");
    if (since != null && until != null && since.compareTo(until) > 0) {
      throw ApiException.badRequest("'since' is after 'until'");
    }
    if (follow && until != null) throw ApiException.badRequest("'until' and 'follow' exclude each other");
    if (tail != null && since != null) throw ApiException.badRequest("'tail' and 'since' exclude each other");
    return new LogQuery(after, since, until, blank(text) ? null : text, limit, tail, follow, levels(param));
  }

  /** {@code level=warn,error}: a comma list of level names. */
  static EnumSet<LogLevel> levels(Function<String, String> param) {
    String v = param.apply("level");
    if (blank(v)) return null;
    EnumSet<LogLevel> levels = EnumSet.noneOf(LogLevel.class);
    for (String name : v.split(",")) {
      if (name.isBlank()) continue;
      try {
        levels.add(LogLevel.parse(name));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("'level': " + e.getMessage());
      }
    }
    return levels.isEmpty() ? null : levels;
  }

  /** True when a line (JSON as the API renders it) passes the time, level and text filters. */
  boolean matches(StoredLine line) {
    if (levels != null && !levels.contains(line.level())) return false;
    if (since != null || until != null) {
      String time = line.time();
      if (since != null && time.compareTo(since) < 0) return false;
      if (until != null && time.compareTo(until) > 0) return false;
    }
    return filter == null || line.contains(filter);
  }

  /** True when a line is past {@code until}: nothing after it can match (times increase per container). */
  boolean pastUntil(StoredLine line) {
    return until != null && line.time().compareTo(until) > 0;
  }

  /** The parameter's value trimmed, or null when absent or blank. */
  static String optional(String s) {
    return blank(s) ? null : s.trim();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  static long number(Function<String, String> param, String name, long dflt, long min, long max) {
    String v = param.apply(name);
    if (blank(v)) return dflt;
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("'" + name + "' must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) throw ApiException.badRequest("'" + name + "' must be from " + min + " to " + max);
    return n;
  }

  static boolean bool(Function<String, String> param, String name) {
    String v = param.apply(name);
    if (blank(v) || v.equals("false") || v.equals("0")) return false;
    if (v.equals("true") || v.equals("1")) return true;
    throw ApiException.badRequest("'" + name + "' must be true or false, got '" + v + "'");
  }

  private static String time(Function<String, String> param, String name, long nowNanos) {
    String v = param.apply(name);
    if (blank(v)) return null;
    return LineJson.formatTime(parseTime(v.trim(), nowNanos, name));
  }

  /**
   * Epoch nanoseconds of an RFC 3339 time, Unix seconds, or an age before {@code nowNanos}; a time outside
   * what epoch nanoseconds hold (about the years 1678 to 2262) is refused like a malformed one.
   * @throws ApiException 400 naming the parameter
   */
  static long parseTime(String v, long nowNanos, String name) {
    try {
      if (AGE.matcher(v).matches()) {
        return Math.subtractExact(nowNanos, Quantities.duration(v.toLowerCase(Locale.ROOT), false).toNanos());
      }
      if (v.matches("\\d+(\\.\\d{1,9})?")) {
        java.math.BigDecimal secs = new java.math.BigDecimal(v);
        return secs.movePointRight(9).longValueExact();
      }
      Instant t = OffsetDateTime.parse(v).toInstant();
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (DateTimeParseException | ArithmeticException | IllegalArgumentException e) {
      throw ApiException.badRequest("'" + name + "' must be an RFC 3339 time, Unix seconds or an age such as 10m, got '"
          + v + "'");
    }
  }
}
