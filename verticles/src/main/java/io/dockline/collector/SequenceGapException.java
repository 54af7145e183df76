package io.dockline.collector;

/**
 * A batch started after the next seq the store expects for its container, so storing it would leave a
 * hole. Unchecked because it is a protocol answer, not an I/O failure: the sender should resend from
 * {@link #expectedSeq()}.
 */
public final class SequenceGapException extends RuntimeException {
  private final String containerId;
  private final long expectedSeq;
  private final long batchFirstSeq;

  public SequenceGapException(String containerId, long expectedSeq, long batchFirstSeq) {
    super("container " + containerId + ": batch starts at seq " + batchFirstSeq + " but the store expects "
        + expectedSeq);
    this.containerId = containerId;
    this.expectedSeq = expectedSeq;
    this.batchFirstSeq = batchFirstSeq;
  }

  public String containerId() { return containerId; }

  /** The container's last stored seq + 1. */
  public long expectedSeq() { return expectedSeq; }

  public long batchFirstSeq() { return batchFirstSeq; }
}
