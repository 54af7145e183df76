package io.dockline.gateway;

import static io.dockline.gateway.FollowMerge.Offer.*;
import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.SearchKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order a follow across containers gives lines in: held to the watermark, late ones at once, none twice, bounded. */
class FollowMergeTest {
  private final List<SearchKey> given = new ArrayList<>();

  private static SearchKey key(long time, String container, long seq) {
    return new SearchKey(time, container, seq);
  }

  private void release(FollowMerge<String> m, long watermark) {
    m.release(watermark, () -> false, (k, line) -> given.add(k));
  }

  @Test
  void linesReadOutOfOrderComeOutInTimeOrderUpToTheWatermark() {
    FollowMerge<String> m = new FollowMerge<>(null, 100, 1 << 20);
    assertEquals(HELD, m.offer(key(30, "b", 1), "b1", 10));
    assertEquals(HELD, m.offer(key(10, "a", 1), "a1", 10));
    assertEquals(HELD, m.offer(key(30, "a", 2), "a2", 10));
    assertEquals(HELD, m.offer(key(50, "a", 3), "a3", 10));
    release(m, 30);
    assertEquals(List.of(key(10, "a", 1), key(30, "a", 2), key(30, "b", 1)), given, "ties by container, then seq");
    assertEquals(key(30, "b", 1), m.position());
    assertEquals(1, m.heldLines());

    // read after lines later than it were given: late, not held, and the position stays
    assertEquals(LATE, m.offer(key(20, "c", 1), "c1", 10));
    assertEquals(AGAIN, m.offer(key(30, "b", 1), "b1", 10), "the line at the position itself was given");
    assertEquals(AGAIN, m.offer(key(50, "a", 3), "a3", 10), "a held line read again");
    assertEquals(HELD, m.offer(key(30, "c", 1), "c1", 10), "after the position: still in order");
    release(m, 100);
    assertEquals(List.of(key(10, "a", 1), key(30, "a", 2), key(30, "b", 1), key(30, "c", 1), key(50, "a", 3)), given);
  }

  @Test
  void aResumedMergeTakesOnlyLinesAfterItsPosition() {
    FollowMerge<String> m = new FollowMerge<>(key(40, "b", 7), 100, 1 << 20);
    assertEquals(LATE, m.offer(key(40, "a", 9), "a9", 10));
    assertEquals(HELD, m.offer(key(40, "b", 8), "b8", 10));
  }

  @Test
  void heldLinesAreBoundedTheEarliestGoBeforeTheWatermarkAndABlockedClientStopsTheRelease() {
    FollowMerge<String> m = new FollowMerge<>(null, 3, 1 << 20);
    for (int i = 1; i <= 3; i++) m.offer(key(100 + i, "a", i), "a" + i, 10);
    assertTrue(m.full());
    release(m, 0);
    assertEquals(List.of(key(101, "a", 1)), given, "only enough to be under the bound");
    assertFalse(m.full());

    FollowMerge<String> bytes = new FollowMerge<>(null, 100, 25);
    bytes.offer(key(1, "a", 1), "a1", 10);
    bytes.offer(key(2, "a", 2), "a2", 10);
    assertFalse(bytes.full());
    bytes.offer(key(3, "a", 3), "a3", 10);
    assertTrue(bytes.full(), "bounded in bytes too");

    boolean[] blocked = {true};
    List<SearchKey> out = new ArrayList<>();
    bytes.release(10, () -> blocked[0], (k, l) -> out.add(k));
    assertEquals(List.of(), out, "nothing while the client's socket is full");
    blocked[0] = false;
    bytes.release(10, () -> blocked[0], (k, l) -> out.add(k));
    assertEquals(3, out.size());
  }
}
