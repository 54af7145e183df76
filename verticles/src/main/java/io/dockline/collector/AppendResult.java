package io.dockline.collector;

/**
 * What {@link LogStore#append} did with a batch.
 *
 * @param written lines of the batch that were new and got stored
 * @param duplicates lines of the batch that were already held and got dropped
 * @param storedSeq the container's last seq after the append
 */
public record AppendResult(int written, int duplicates, long storedSeq) {}
