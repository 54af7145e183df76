package io.dockline.wire;

/**
 * A collector's answer to a {@link LineBatch}: every line of the container up to {@code storedSeq} is
 * durably stored, on this collector or (before a hole it accepted) on another one. {@code written} lines of
 * the batch were new, {@code duplicates} were already held.
 */
public final class BatchAck {
  /**
   * Delivery header of a batch: the sender's cumulative acknowledgement, the highest seq such that it and
   * every seq below it are stored on some collector. A collector takes a batch that starts after its own
   * last seq + 1 (the stream was owned by another collector meanwhile) only if this covers the hole.
   */
  public static final String STORED_THROUGH_HEADER = "dockline-stored-through";

  /**
   * Delivery header of a batch a router sends to a collector: the collector's place in the stream's replica
   * set, "0" for the first replica (the one that publishes the stream to Kafka). A batch without it (a router of
   * a release before the hand-off to Kafka) counts as sent to the first replica.
   */
  public static final String REPLICA_HEADER = "dockline-replica";

  /**
   * Failure code of a write whose batch starts after the collector's next expected sequence; the failure
   * message is that expected sequence. The agent sends everything unacknowledged again.
   */
  public static final int GAP_FAILURE = 409;

  /**
   * Failure code of a write the collector could not store for lack of disk (the disk is full, or its free
   * space is below {@code min-free-disk}). Nothing of the batch's group was acknowledged: the agent keeps the
   * lines (memory, then spool) and sends them again later, by when the routers have taken that collector off
   * the write ring.
   */
  public static final int STORE_FULL_FAILURE = 507;

  private final String containerId;
  private final long storedSeq;
  private final int written;
  private final int duplicates;
  private final String collector;

  public BatchAck(String containerId, long storedSeq, int written, int duplicates, String collector) {
    this.containerId = containerId;
    this.storedSeq = storedSeq;
    this.written = written;
    this.duplicates = duplicates;
    this.collector = collector == null ? "" : collector;
  }

  public String containerId() { return containerId; }
  public long storedSeq() { return storedSeq; }
  public int written() { return written; }
  public int duplicates() { return duplicates; }
  public String collector() { return collector; }

  @Override
  public String toString() {
    return "BatchAck{" + containerId + " stored<=" + storedSeq + " +" + written + " dup " + duplicates + " by "
        + collector + "}";
  }
}
