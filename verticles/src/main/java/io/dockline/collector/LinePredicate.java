package io.dockline.collector;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.dockline.wire.LogLevel;
import io.dockline.wire.StreamKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a fleet search keeps of a line besides its time: its stream, its level, and its text, rendered as the API
 * renders it (invalid UTF-8 as U+FFFD), containing a text (case-sensitive or not) or matching a regular
 * expression. Expressions run on RE2/J, in time linear in the line's length: no pattern can make a collector
 * spin. Immutable; safe on any thread.
 */
public final class LinePredicate {
  /** The longest expression or text taken: the automaton a pattern builds grows with it. */
  public static final int MAX_PATTERN_CHARS = 1_000;
  public static final LinePredicate ANY = new LinePredicate(null, null, null, List.of());

  private final StreamKind stream;
  private final Set<LogLevel> levels;
  private final TextFilter text;
  /** Each must be found in the rendered line. */
  private final List<Pattern> patterns;

  private LinePredicate(StreamKind stream, Set<LogLevel> levels, TextFilter text, List<Pattern> patterns) {
    this.stream = stream;
    this.levels = levels;
    this.text = text;
    this.patterns = patterns;
  }

  /**
   * Null or empty arguments do not filter; {@code ignoreCase} applies to the text and the expression.
   * @throws IllegalArgumentException for a pattern or text too long, or an expression that does not compile
   */
  public static LinePredicate of(StreamKind stream, Set<LogLevel> levels, String text, boolean ignoreCase, String regex) {
    boolean hasText = text != null && !text.isEmpty();
    boolean hasRegex = regex != null && !regex.isEmpty();
    if ((hasText && text.length() > MAX_PATTERN_CHARS) || (hasRegex && regex.length() > MAX_PATTERN_CHARS)) {
      throw new IllegalArgumentException("a text or regex longer than " + MAX_PATTERN_CHARS + " characters");
    }
    int flags = ignoreCase ? Pattern.CASE_INSENSITIVE : 0;
    List<Pattern> patterns = new ArrayList<>();
    try {
      if (hasRegex) patterns.add(Pattern.compile(regex, flags));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regex: " + e.getMessage());
    }
    if (hasText && ignoreCase) patterns.add(Pattern.compile(Pattern.quote(text), flags));
    return new LinePredicate(stream, levels == null || levels.isEmpty() ? null : Set.copyOf(levels),
        hasText && !ignoreCase ? TextFilter.of(text) : null, List.copyOf(patterns));
  }

  /** Whether only the stream and level are tested (no text to look at). */
  public boolean looksAtText() { return text != null || !patterns.isEmpty(); }

  public boolean matches(byte streamCode, byte flags, byte[] data, int offset, int length) {
    if (stream != null && stream.code() != streamCode) return false;
    if (levels != null && !levels.contains(LogLevel.ofFlags(flags))) return false;
    if (text != null && !text.matches(data, offset, length)) return false;
    if (patterns.isEmpty()) return true;
    String rendered = new String(data, offset, length, StandardCharsets.UTF_8);
    for (Pattern p : patterns) {
      if (!p.matcher(rendered).find()) return false;
    }
    return true;
  }
}
