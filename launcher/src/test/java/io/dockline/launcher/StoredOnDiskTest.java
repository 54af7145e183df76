package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.LogStore;
import io.dockline.collector.LogStoreOptions;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk check can fail: a repeat not on a crashed collector, a missing seq. */
class StoredOnDiskTest {
  private static final String ID = "d15c000000000001";

  @TempDir Path work;

  @Test
  void aRepeatCountsOnlyOnACrashedCollectorAndAMissingSeqNever() throws Exception {
    NodeProcess c1 = new NodeProcess("c1", work);
    NodeProcess c2 = new NodeProcess("c2", work);
    store(c1, 1, 10);
    store(c2, 8, 8); // 8..15: seqs 8, 9, 10 on both
    assertEquals(Map.of("c1", 10, "c2", 8), StoredOnDisk.assertExactlyOnce(List.of(c1, c2), ID, 15, Set.of("c2")));
    AssertionError unexplained = assertThrows(AssertionError.class,
        () -> StoredOnDisk.assertExactlyOnce(List.of(c1, c2), ID, 15, Set.of()));
    assertTrue(unexplained.getMessage().contains("seq 8 stored on [c1, c2]"), unexplained.getMessage());
    assertThrows(AssertionError.class, () -> StoredOnDisk.assertExactlyOnce(List.of(c1, c2), ID, 16, Set.of("c2")),
        "seq 16 written, on no disk");
  }

  private static void store(NodeProcess collector, long firstSeq, int count) throws Exception {
    LineBatchBuilder b = new LineBatchBuilder();
    for (int i = 0; i < count; i++) {
      byte[] text = ("n " + (firstSeq + i)).getBytes(StandardCharsets.UTF_8);
      b.add(1000L * (firstSeq + i), io.dockline.wire.StreamKind.STDOUT.code(), (byte) 0, text, 0, text.length);
    }
    try (LogStore store = LogStore.open(collector.dataDir.resolve("collector"), new LogStoreOptions())) {
      store.append(b.take(new ContainerMeta(ID, "n", "img", "h", Map.of()), firstSeq, count, Integer.MAX_VALUE));
      store.sync();
    }
  }
}
