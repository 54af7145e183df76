package io.dockline.routing.impl;

import io.dockline.wire.BatchAck;
import java.util.List;

/** The acknowledgement a router gives the agent for a batch every replica of its stream acknowledged. */
public final class ReplicaAcks {
  private ReplicaAcks() {}

  /**
   * The owner's acknowledgement (first), stored through the lowest seq every replica holds through: a line is
   * acknowledged only once each replica has stored and fsynced it.
   */
  public static BatchAck combine(List<BatchAck> byReplica) {
    BatchAck owner = byReplica.get(0);
    long storedSeq = owner.storedSeq();
    for (BatchAck a : byReplica) storedSeq = Math.min(storedSeq, a.storedSeq());
    return new BatchAck(owner.containerId(), storedSeq, owner.written(), owner.duplicates(), owner.collector());
  }
}
