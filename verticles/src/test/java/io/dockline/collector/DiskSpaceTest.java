package io.dockline.collector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a collector reads the free space again before a group (pure logic). */
class DiskSpaceTest {
  private static final long MB = 1 << 20;

  @Test
  void itsOwnWritesCannotTakeTheRoomAboveTheFloorUnseen() {
    // 100 MB free, the floor at 90 MB: read again once 5 MB (half the room) are written
    assertFalse(DiskSpace.due(100 * MB, 90 * MB, 4 * MB, 0));
    assertTrue(DiskSpace.due(100 * MB, 90 * MB, 5 * MB, 0));
  }

  @Test
  void atOrBelowTheFloorEveryGroupReadsIt() {
    assertTrue(DiskSpace.due(90 * MB, 90 * MB, 0, 0));
    assertTrue(DiskSpace.due(80 * MB, 90 * MB, 0, 0));
  }

  @Test
  void unknownOrOldFreeSpaceIsReadAgain() {
    assertTrue(DiskSpace.due(-1, 0, 0, 0), "unreadable last time");
    assertFalse(DiskSpace.due(100 * MB, 0, 0, DiskSpace.REFRESH_NANOS - 1));
    assertTrue(DiskSpace.due(100 * MB, 0, 0, DiskSpace.REFRESH_NANOS), "other processes fill the disk too");
  }
}
