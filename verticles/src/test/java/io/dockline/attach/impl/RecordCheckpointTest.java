package io.dockline.attach.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCheckpointTest {
  private static final ContainerMeta META = new ContainerMeta("c1", "c1", "img", "h", Map.of());

  /** A batch of {@code streams.length} one-byte records from {@code firstSeq}. */
  private static LineBatch batch(long firstSeq, byte... streams) {
    int n = streams.length;
    int[] offsets = new int[n + 1];
    for (int i = 0; i <= n; i++) offsets[i] = i;
    return new LineBatch(META, firstSeq, n, new long[n], streams, new byte[n], offsets, new byte[n]);
  }

  private static LogPosition.Mark mark(long t) {
    return new LogPosition.Mark(t, 1, 1, 0);
  }

  @Test
  void theCheckpointMovesOnlyToRecordEndsWhereNoCutRecordIsPartlyAcknowledged() {
    RecordCheckpoint c = new RecordCheckpoint();
    c.sent((byte) 1, mark(10));   // seq 1: stdout record A
    c.sent((byte) 2, null);       // seq 2: the first piece of stderr record B, cut at the size cap
    c.sent((byte) 1, mark(30));   // seq 3: stdout record C
    c.sent((byte) 2, mark(20));   // seq 4: B's last piece
    LogPosition p = LogPosition.start();
    assertEquals(1, c.acknowledged(batch(1, (byte) 1, (byte) 2), p), "after A, not into B");
    assertEquals(10, p.mark((byte) 1).timeNanos());
    assertEquals(Long.MIN_VALUE, p.mark((byte) 2).timeNanos());
    // C is acknowledged, but a checkpoint after it would lie past B's first piece, seq 2, on the other stream
    assertEquals(-1, c.acknowledged(batch(3, (byte) 1), p));
    assertEquals(10, p.mark((byte) 1).timeNanos(), "stdout's mark waits with seq");
    assertEquals(4, c.acknowledged(batch(4, (byte) 2), p), "B ended: both streams move");
    assertEquals(30, p.mark((byte) 1).timeNanos());
    assertEquals(20, p.mark((byte) 2).timeNanos());
  }

  @Test
  void nothingMovesWhileTheCheckpointIsNotKnownYet() {
    RecordCheckpoint c = new RecordCheckpoint();
    c.sent((byte) 1, mark(10));
    c.sent((byte) 1, mark(11));
    assertEquals(-1, c.acknowledged(batch(1, (byte) 1), null));
    LogPosition p = LogPosition.start();
    assertEquals(2, c.acknowledged(batch(2, (byte) 1), p));
    assertEquals(11, p.mark((byte) 1).timeNanos());
  }
}
