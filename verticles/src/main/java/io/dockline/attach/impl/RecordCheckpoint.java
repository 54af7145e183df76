package io.dockline.attach.impl;

import io.dockline.wire.LineBatch;
import java.util.ArrayDeque;

/**
 * Logs mode with lines grouped into records: where the checkpoint may lie. It moves only to the end of an
 * acknowledged record, and only at a point where no stream has a record cut at the size cap partly
 * acknowledged: a resume then starts every stream at a record's first line, groups the records after it as
 * before, and numbers them from the checkpoint's seq on as before, so the collectors drop what they hold.
 * Pure logic on the reader's context.
 */
final class RecordCheckpoint {
  /** A record (or piece) sent: its stream, and the log position of its last line (null: a piece, not its end). */
  private record Sent(byte stream, LogPosition.Mark end) {}

  private final ArrayDeque<Sent> sent = new ArrayDeque<>();
  /** By stream code: acknowledged record ends not yet in the checkpoint, and whether a cut record is open. */
  private final LogPosition.Mark[] ackedEnds = new LogPosition.Mark[3];
  private final boolean[] cutOpen = new boolean[3];

  /** A record of {@code stream} went into the pending lines; {@code end} null for a piece before its end. */
  void sent(byte stream, LogPosition.Mark end) {
    sent.add(new Sent(stream == 2 ? (byte) 2 : (byte) 1, end));
  }

  /**
   * An acknowledged batch (batches are acknowledged in order): moves {@code checkpoint} (null while it is not
   * known yet: nothing moves) and returns the seq it now lies after, or -1 when it did not move.
   */
  long acknowledged(LineBatch b, LogPosition checkpoint) {
    long seq = -1;
    for (int i = 0; i < b.count(); i++) {
      Sent s = sent.poll();
      if (s == null) break; // every record sent was added here first
      cutOpen[s.stream()] = s.end() == null;
      if (s.end() != null) ackedEnds[s.stream()] = s.end();
      if (cutOpen[1] || cutOpen[2] || checkpoint == null) continue;
      for (byte stream = 1; stream <= 2; stream++) {
        if (ackedEnds[stream] != null) checkpoint.set(stream, ackedEnds[stream]);
        ackedEnds[stream] = null;
      }
      seq = b.seq(i);
    }
    return seq;
  }
}
