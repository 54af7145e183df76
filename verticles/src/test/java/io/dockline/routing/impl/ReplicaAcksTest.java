package io.dockline.routing.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dockline.wire.BatchAck;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaAcksTest {
  @Test
  void theAgentIsToldTheLowestSeqEveryReplicaHoldsThrough() {
    BatchAck owner = new BatchAck("c", 120, 20, 0, "c1");
    BatchAck behind = new BatchAck("c", 100, 0, 20, "c2");
    BatchAck combined = ReplicaAcks.combine(List.of(owner, behind));
    assertEquals(100, combined.storedSeq());
    assertEquals("c1", combined.collector());
    assertEquals(120, ReplicaAcks.combine(List.of(owner)).storedSeq());
  }
}
