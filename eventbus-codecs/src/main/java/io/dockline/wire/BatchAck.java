package io.dockline.wire;

/**
 * A collector's answer to a {@link LineBatch}: every line of the container up to {@code storedSeq} is
 * durably stored. {@code written} lines of the batch were new, {@code duplicates} were already held.
 */
public final class BatchAck {
  /**
   * Failure code of a write whose batch starts after the collector's next expected sequence; the failure
   * message is that expected sequence. The agent sends everything unacknowledged again.
   */
  public static final int GAP_FAILURE = 409;

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
