package io.dockline.wire;

import java.util.Locale;

/**
 * The level of a stored line or record, found by the agent. It travels and is stored in bits 1-3 of the line's
 * flags byte ({@link LineBatch#flags}): bits that every earlier release wrote as 0 and that every reader, on the
 * wire and on disk, copies without looking at. So the batch format keeps its version (a new version would make
 * an older collector refuse new batches): an older collector stores a new batch's levels unchanged, and
 * everything an earlier release wrote reads as {@link #NONE}.
 */
public enum LogLevel {
  NONE, TRACE, DEBUG, INFO, WARN, ERROR, FATAL;

  private static final LogLevel[] BY_CODE = values();
  private static final int SHIFT = 1;
  private static final int MASK = 0b111 << SHIFT;

  /** The name in the API ({@code none}, {@code trace} … {@code fatal}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The level in a line's flags. */
  public static LogLevel ofFlags(byte flags) {
    int code = (flags & MASK) >>> SHIFT;
    return code < BY_CODE.length ? BY_CODE[code] : NONE;
  }

  /** {@code flags} with this level in it (other bits kept). */
  public byte into(byte flags) {
    return (byte) ((flags & ~MASK) | (ordinal() << SHIFT));
  }

  /** @throws IllegalArgumentException naming the levels, for anything else */
  public static LogLevel parse(String label) {
    for (LogLevel l : BY_CODE) if (l.label().equals(label.trim().toLowerCase(Locale.ROOT))) return l;
    throw new IllegalArgumentException("unknown level '" + label + "': expected none, trace, debug, info, warn, error or fatal");
  }
}
