package io.dockline.collector;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.dockline.wire.LogLevel;
import io.dockline.wire.StreamKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
  public static final LinePredicate ANY = new LinePredicate(null, null, null, List.of(), new JsonObject());

  private final StreamKind stream;
  private final Set<LogLevel> levels;
  private final TextFilter text;
  /** Each must be found in the rendered line. */
  private final List<Pattern> patterns;
  /** What it was made of, to send it on ({@link #toJson}). */
  private final JsonObject source;

  private LinePredicate(StreamKind stream, Set<LogLevel> levels, TextFilter text, List<Pattern> patterns,
                        JsonObject source) {
    this.stream = stream;
    this.levels = levels;
    this.text = text;
    this.patterns = patterns;
    this.source = source;
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
    Set<LogLevel> levelSet = levels == null || levels.isEmpty() ? null : Set.copyOf(levels);
    JsonObject source = new JsonObject().put("stream", stream == null ? null : stream.label())
        .put("levels", levelSet == null ? null : new JsonArray(levelSet.stream().map(LogLevel::label).sorted().toList()))
        .put("text", hasText ? text : null).put("ignoreCase", ignoreCase).put("regex", hasRegex ? regex : null);
    return new LinePredicate(stream, levelSet, hasText && !ignoreCase ? TextFilter.of(text) : null,
        List.copyOf(patterns), source);
  }

  /** Its JSON form: {@code {"stream", "levels", "text", "ignoreCase", "regex"}}, each optional. */
  public JsonObject toJson() {
    return source.copy();
  }

  /** @throws IllegalArgumentException for a field of the wrong kind or a filter {@link #of} refuses */
  public static LinePredicate fromJson(JsonObject json) {
    try {
      String stream = json.getString("stream");
      Set<LogLevel> levels = new java.util.HashSet<>();
      JsonArray l = json.getJsonArray("levels");
      if (l != null) for (int i = 0; i < l.size(); i++) levels.add(LogLevel.parse(l.getString(i)));
      return of(stream == null ? null : StreamKind.parse(stream), levels, json.getString("text"),
          json.getBoolean("ignoreCase", false), json.getString("regex"));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("malformed filter: " + e.getMessage());
    }
  }

  /** Whether only the stream and level are tested (no text to look at). */
  public boolean looksAtText() { return text != null || !patterns.isEmpty(); }

  public boolean matches(byte streamCode, byte flags, byte[] data, int offset, int length) {
    return matches(streamCode, flags, data, offset, length, null);
  }

  /** A matcher for one scanning thread, which searches the text of lines a store gives back to back in one go. */
  public Lines lines() { return new Lines(); }

  /** {@link #matches}, the text searched run by run ({@link TextFilter.Run}). Not thread-safe. */
  public final class Lines {
    private final TextFilter.Run run = text == null ? null : text.run();

    private Lines() {}

    /** See {@link LineVisitor#text}. */
    public void text(byte[] data, int from, int to) {
      if (run != null) run.reset(data, from, to);
    }

    public boolean matches(byte streamCode, byte flags, byte[] data, int offset, int length) {
      return LinePredicate.this.matches(streamCode, flags, data, offset, length, run);
    }
  }

  private boolean matches(byte streamCode, byte flags, byte[] data, int offset, int length, TextFilter.Run run) {
    if (stream != null && stream.code() != streamCode) return false;
    if (levels != null && !levels.contains(LogLevel.ofFlags(flags))) return false;
    if (text != null && !(run != null ? run.matches(data, offset, length) : text.matches(data, offset, length))) return false;
    if (patterns.isEmpty()) return true;
    String rendered = new String(data, offset, length, StandardCharsets.UTF_8);
    for (Pattern p : patterns) {
      if (!p.matcher(rendered).find()) return false;
    }
    return true;
  }
}
