package io.dockline.collector;

import io.dockline.wire.ContainerMeta;

/**
 * One container as the store holds it. Seqs are 0 and lineCount is 0 when no line is stored.
 *
 * @param bytes size of the container's segment files on disk (line text plus framing)
 */
public record ContainerSummary(ContainerMeta meta, long firstSeq, long lastSeq, long lineCount, long bytes) {}
