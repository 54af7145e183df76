package io.dockline.attach;

import io.dockline.wire.LogLevel;

/**
 * Finds the level of a line (of a record: its first line) as written: a JSON object's {@code level},
 * {@code lvl} or {@code severity} field (a name in any case, or pino's numbers 10-60), a logfmt
 * {@code level=}, or a leading token ({@code ERROR}, {@code [WARN]}, {@code warning:}, glog's {@code E1129}),
 * possibly after a timestamp. A level word elsewhere in the text is not a level. Looks at most at the first
 * {@link #SCAN_BYTES} bytes; pure logic, allocation-free.
 */
public final class LevelDetector {
  static final int SCAN_BYTES = 1024;
  private static final byte NEWLINE = '\n';

  private LevelDetector() {}

  public static LogLevel detect(byte[] b, int off, int len) {
    // a record's first line: the token and logfmt scans stop at its end themselves, so a plain line is read
    // once for '=' (or '\n') rather than once for '\n' and again for '='
    int end = off + Math.min(len, SCAN_BYTES);
    int p = skipBlanks(b, off, end);
    if (p < end && b[p] == '{') {
      int newline = ByteScan.indexOf(b, p, end, NEWLINE);
      return json(b, p, newline >= 0 ? newline : end);
    }
    LogLevel l = leadingToken(b, p, end);
    return l != LogLevel.NONE ? l : logfmt(b, p, end);
  }

  private static int skipBlanks(byte[] b, int p, int end) {
    while (p < end && (b[p] == ' ' || b[p] == '\t')) p++;
    return p;
  }

  /** A JSON object: the first "level", "lvl" or "severity" key with a string or number value. */
  private static LogLevel json(byte[] b, int p, int end) {
    for (int i = p; i < end; i++) {
      if (b[i] != '"') continue;
      int keyEnd = closingQuote(b, i + 1, end);
      if (keyEnd < 0) return LogLevel.NONE;
      int v = skipBlanks(b, keyEnd + 1, end);
      if (v < end && b[v] == ':' && isLevelKey(b, i + 1, keyEnd)) {
        v = skipBlanks(b, v + 1, end);
        if (v >= end) return LogLevel.NONE;
        if (b[v] == '"') {
          int valueEnd = closingQuote(b, v + 1, end);
          return valueEnd < 0 ? LogLevel.NONE : named(b, v + 1, valueEnd);
        }
        return pino(b, v, end);
      }
      i = keyEnd; // a string (key or value) is skipped whole
    }
    return LogLevel.NONE;
  }

  private static int closingQuote(byte[] b, int p, int end) {
    for (int i = p; i < end; i++) {
      if (b[i] == '\\') i++;
      else if (b[i] == '"') return i;
    }
    return -1;
  }

  private static boolean isLevelKey(byte[] b, int from, int to) {
    return equalsIgnoreCase(b, from, to, "level") || equalsIgnoreCase(b, from, to, "lvl")
        || equalsIgnoreCase(b, from, to, "severity");
  }

  /** pino / bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
  private static LogLevel pino(byte[] b, int p, int end) {
    int n = 0;
    int digits = 0;
    while (p < end && b[p] >= '0' && b[p] <= '9' && digits < 3) {
      n = n * 10 + (b[p++] - '0');
      digits++;
    }
    if (digits == 0 || (p < end && b[p] >= '0' && b[p] <= '9') || n < 10 || n >= 70) return LogLevel.NONE;
    return LogLevel.values()[n / 10];
  }

  /**
   * logfmt: {@code level=error} (or {@code lvl=}, {@code severity=}), at the start or after a blank; quoted or not;
   * on the first line.
   */
  private static LogLevel logfmt(byte[] b, int p, int end) {
    for (int i = p; (i = ByteScan.indexOfEither(b, i, end, (byte) '=', NEWLINE)) >= 0 && b[i] == '='; i++) {
      if (i != p && !precededByKey(b, p, i)) continue;
      int keyStart = i;
      while (keyStart > p && b[keyStart - 1] != ' ' && b[keyStart - 1] != '\t') keyStart--;
      if (!isLevelKey(b, keyStart, i)) continue;
      int v = i + 1;
      if (v < end && b[v] == '"') {
        int close = closingQuote(b, v + 1, end);
        return close < 0 ? LogLevel.NONE : named(b, v + 1, close);
      }
      int vEnd = v;
      while (vEnd < end && b[vEnd] != ' ' && b[vEnd] != '\t' && b[vEnd] != NEWLINE) vEnd++;
      return named(b, v, vEnd);
    }
    return LogLevel.NONE;
  }

  private static boolean precededByKey(byte[] b, int p, int eq) {
    return eq > p && b[eq - 1] != ' ';
  }

  /**
   * The first token, after at most three timestamp tokens (digits with {@code -:.,/TZ+}): a level name, alone,
   * in brackets, or followed by ':' ; or glog's letter and four digits ({@code E1129}). On the first line: a
   * token ends at a newline, and the empty token after it is no level.
   */
  private static LogLevel leadingToken(byte[] b, int p, int end) {
    for (int skipped = 0; p < end; skipped++) {
      int tEnd = p;
      while (tEnd < end && b[tEnd] != ' ' && b[tEnd] != '\t' && b[tEnd] != NEWLINE) tEnd++;
      int from = p;
      int to = tEnd;
      if (b[from] == '[' || b[from] == '<' || b[from] == '(') from++;
      while (to > from && (b[to - 1] == ']' || b[to - 1] == '>' || b[to - 1] == ')' || b[to - 1] == ':'
          || b[to - 1] == '|')) {
        to--;
      }
      if (skipped == 0 && to - from >= 5 && glog(b, from)) return glogLevel(b[from]);
      LogLevel l = named(b, from, to);
      if (l != LogLevel.NONE || skipped == 3 || !timestamp(b, from, to)) return l;
      p = skipBlanks(b, tEnd, end);
    }
    return LogLevel.NONE;
  }

  private static boolean glog(byte[] b, int p) {
    byte c = b[p];
    if (c != 'I' && c != 'W' && c != 'E' && c != 'F') return false;
    for (int i = 1; i <= 4; i++) if (b[p + i] < '0' || b[p + i] > '9') return false;
    return true;
  }

  private static LogLevel glogLevel(byte c) {
    return switch (c) {
      case 'I' -> LogLevel.INFO;
      case 'W' -> LogLevel.WARN;
      case 'E' -> LogLevel.ERROR;
      default -> LogLevel.FATAL;
    };
  }

  private static boolean timestamp(byte[] b, int from, int to) {
    if (to <= from || b[from] < '0' || b[from] > '9') return false;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (!(c >= '0' && c <= '9') && "-:.,/TZ+".indexOf(c) < 0) return false;
    }
    return true;
  }

  private static final String[][] NAMES = {
      {},
      {"trace", "trc"},
      {"debug", "dbg", "debu"},
      {"info", "inf", "information", "notice"},
      {"warn", "warning", "wrn"},
      {"error", "err", "eror"},
      {"fatal", "critical", "crit", "panic", "emerg", "emergency", "alert", "dpanic"}};

  /** A level's name in any case. */
  private static LogLevel named(byte[] b, int from, int to) {
    int n = to - from;
    if (n < 3 || n > 11) return LogLevel.NONE;
    for (int level = 1; level < NAMES.length; level++) {
      for (String name : NAMES[level]) {
        if (equalsIgnoreCase(b, from, to, name)) return LogLevel.values()[level];
      }
    }
    return LogLevel.NONE;
  }

  private static boolean equalsIgnoreCase(byte[] b, int from, int to, String lower) {
    if (to - from != lower.length()) return false;
    for (int i = 0; i < lower.length(); i++) {
      int c = b[from + i];
      if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
      if (c != lower.charAt(i)) return false;
    }
    return true;
  }
}
