package io.dockline.attach.impl;

import io.dockline.attach.LevelDetector;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LogLevel;

/**
 * The level of each line (or record) a reader adds, per stream: found in the text ({@link LevelDetector}), and
 * for the pieces of a line or record cut at the size cap, the level of its first piece.
 */
final class LineLevels {
  /** By stream code: the level of the piece before, when it was cut (null: the next piece starts anew). */
  private final LogLevel[] cut = new LogLevel[3];

  LogLevel of(byte stream, byte flags, byte[] b, int off, int len) {
    int s = stream == 2 ? 2 : 1;
    LogLevel level = cut[s] != null ? cut[s] : LevelDetector.detect(b, off, len);
    cut[s] = (flags & LineBatch.FLAG_PARTIAL) != 0 ? level : null;
    return level;
  }
}
