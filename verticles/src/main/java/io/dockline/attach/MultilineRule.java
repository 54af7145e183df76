package io.dockline.attach;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Arrays;
import java.util.List;

/**
 * How lines of one stream are grouped into records: the value of the node setting {@code multiline} and of
 * the container label {@code dockline.multiline}, parsed here only. {@code none} (no grouping), the built-ins
 * {@code java}, {@code python}, {@code go}, {@code auto} (any of them) and {@code regex:<pattern>} (a record
 * starts at a line in which the RE2 pattern matches; linear time, whatever the input).
 *
 * <p>A rule is a value; {@link #newState()} gives the per-stream state that decides, line by line, whether a
 * line continues the record open before it. Pure logic, not thread-safe (one state per stream).
 */
public final class MultilineRule {
  /** The label that chooses a container's rule. */
  public static final String LABEL = "dockline.multiline";
  public static final MultilineRule NONE = new MultilineRule("none", null);

  private final String spec;
  private final Pattern startPattern;

  private MultilineRule(String spec, Pattern startPattern) {
    this.spec = spec;
    this.startPattern = startPattern;
  }

  /** @throws IllegalArgumentException naming what is expected, for anything else */
  public static MultilineRule parse(String spec) {
    String s = spec.trim();
    if (s.startsWith("regex:")) {
      String p = s.substring("regex:".length());
      if (p.isEmpty()) throw new IllegalArgumentException("regex: needs a pattern");
      try {
        return new MultilineRule(s, Pattern.compile(p));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("bad pattern: " + e.getMessage());
      }
    }
    return switch (s) {
      case "none", "" -> NONE;
      case "java", "python", "go", "auto" -> new MultilineRule(s, null);
      default -> throw new IllegalArgumentException("expected none, java, python, go, auto or regex:<pattern>");
    };
  }

  public boolean groups() {
    return this != NONE && !"none".equals(spec);
  }

  /** A fresh per-stream state: no record open. */
  public State newState() {
    return switch (spec) {
      case "java" -> new JavaState();
      case "python" -> new PythonState();
      case "go" -> new GoState();
      case "auto" -> new AnyState(List.of(new JavaState(), new PythonState(), new GoState()));
      default -> new RegexState(startPattern);
    };
  }

  @Override
  public String toString() {
    return spec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MultilineRule r && r.spec.equals(spec);
  }

  @Override
  public int hashCode() {
    return spec.hashCode();
  }

  /** One stream's grouping state. */
  public interface State {
    /** A record starts with this line (the first line, or one that did not continue the record before). */
    void start(byte[] b, int off, int len);

    /** Whether this line continues the open record (it then becomes part of it). */
    boolean continues(byte[] b, int off, int len);
  }

  // ---- byte helpers: lines are UTF-8 bytes, looked at in place ----

  static boolean startsWith(byte[] b, int off, int len, String prefix) {
    if (len < prefix.length()) return false;
    for (int i = 0; i < prefix.length(); i++) if (b[off + i] != prefix.charAt(i)) return false;
    return true;
  }

  static int leadingBlanks(byte[] b, int off, int len) {
    int i = 0;
    while (i < len && (b[off + i] == ' ' || b[off + i] == '\t')) i++;
    return i;
  }

  static boolean blank(byte[] b, int off, int len) {
    return leadingBlanks(b, off, len) == len;
  }

  /** Java: {@code at …}, {@code Caused by: …}, {@code ... N more}, {@code Suppressed: …} continue a record. */
  static final class JavaState implements State {
    @Override
    public void start(byte[] b, int off, int len) {}

    @Override
    public boolean continues(byte[] b, int off, int len) {
      int ws = leadingBlanks(b, off, len);
      int o = off + ws;
      int l = len - ws;
      if (ws > 0 && (startsWith(b, o, l, "at ") || startsWith(b, o, l, "..."))) return true;
      return startsWith(b, o, l, "Caused by: ") || startsWith(b, o, l, "Suppressed: ");
    }
  }

  /**
   * Python: {@code Traceback (most recent call last):}, its indented frames, and the exception line after
   * them; chained tracebacks ("During handling …", "The above exception …") stay in the record.
   */
  static final class PythonState implements State {
    private enum Phase { OTHER, FRAMES, AFTER_EXCEPTION, CHAIN_BLANK, CHAIN_MESSAGE }

    private Phase phase = Phase.OTHER;

    @Override
    public void start(byte[] b, int off, int len) {
      phase = startsWith(b, off, len, "Traceback (most recent call last):") ? Phase.FRAMES : Phase.OTHER;
    }

    @Override
    public boolean continues(byte[] b, int off, int len) {
      switch (phase) {
        case FRAMES -> {
          if (leadingBlanks(b, off, len) == 0 && len > 0) phase = Phase.AFTER_EXCEPTION; // the exception line
          return true;
        }
        case AFTER_EXCEPTION -> {
          if (blank(b, off, len)) {
            phase = Phase.CHAIN_BLANK;
            return true;
          }
          if (leadingBlanks(b, off, len) > 0) return true; // a multi-line exception message
        }
        case CHAIN_BLANK -> {
          if (startsWith(b, off, len, "During handling of the above exception")
              || startsWith(b, off, len, "The above exception was the direct cause")) {
            phase = Phase.CHAIN_MESSAGE;
            return true;
          }
        }
        case CHAIN_MESSAGE -> {
          if (blank(b, off, len)) return true;
          if (startsWith(b, off, len, "Traceback (most recent call last):")) {
            phase = Phase.FRAMES;
            return true;
          }
        }
        default -> {}
      }
      phase = Phase.OTHER;
      return false;
    }
  }

  /** Go: {@code panic: …} or {@code fatal error: …}, then goroutine blocks (frames, blank lines) to their end. */
  static final class GoState implements State {
    private boolean inPanic;

    @Override
    public void start(byte[] b, int off, int len) {
      inPanic = startsWith(b, off, len, "panic: ") || startsWith(b, off, len, "fatal error: ");
    }

    @Override
    public boolean continues(byte[] b, int off, int len) {
      if (!inPanic) return false;
      if (blank(b, off, len) || leadingBlanks(b, off, len) > 0 || startsWith(b, off, len, "goroutine ")
          || startsWith(b, off, len, "created by ") || startsWith(b, off, len, "[signal ")
          || startsWith(b, off, len, "panic: ") || isFrame(b, off, len)) {
        return true;
      }
      inPanic = false;
      return false;
    }

    /** A function frame such as {@code main.main()} or {@code net/http.(*conn).serve(0xc000…)}. */
    private static boolean isFrame(byte[] b, int off, int len) {
      int paren = -1;
      for (int i = 0; i < len; i++) {
        byte c = b[off + i];
        if (c == '(' && i > 0 && b[off + i - 1] != ' ') {
          paren = i;
          break;
        }
        if (c == ' ') return false;
      }
      if (paren < 0) return false;
      int end = len;
      if (end >= 4 && startsWith(b, off + end - 4, 4, " ...")) end -= 4;
      return b[off + end - 1] == ')' && b[off] != '(';
    }
  }

  /** auto: a line continues the record when any built-in says so. */
  static final class AnyState implements State {
    private final List<State> states;

    AnyState(List<State> states) {
      this.states = states;
    }

    @Override
    public void start(byte[] b, int off, int len) {
      for (State s : states) s.start(b, off, len);
    }

    @Override
    public boolean continues(byte[] b, int off, int len) {
      boolean any = false;
      for (State s : states) any |= s.continues(b, off, len); // each advances its own state
      return any;
    }
  }

  /** regex: a record starts at each line in which the pattern matches. */
  static final class RegexState implements State {
    private final Pattern start;

    RegexState(Pattern start) {
      this.start = start;
    }

    @Override
    public void start(byte[] b, int off, int len) {}

    @Override
    public boolean continues(byte[] b, int off, int len) {
      return !start.matcher(Arrays.copyOfRange(b, off, off + len)).find();
    }
  }
}
