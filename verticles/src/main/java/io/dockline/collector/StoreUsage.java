package io.dockline.collector;

/**
 * What a store holds, for metrics and views.
 *
 * @param diskBytes bytes of every file of the store (segments, write-ahead log)
 * @param rawBytes bytes of the line text held, before framing or compression
 * @param segments segment files
 * @param containers containers holding data
 * @param corruptChunks distinct damaged chunks found so far (by opening or reading); their lines are holes
 * @param openSegments segment files held open: the current segments of containers written within
 *     {@link LogStoreOptions#closeIdleAfter()}
 */
public record StoreUsage(long diskBytes, long rawBytes, long segments, int containers, long corruptChunks,
                         long openSegments) {
  /** Bytes on disk per raw byte; 0 when nothing is held. */
  public double ratio() {
    return rawBytes == 0 ? 0 : (double) diskBytes / rawBytes;
  }
}
