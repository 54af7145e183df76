package io.dockline.collector;

import io.dockline.collector.impl.FileLogStore;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The collector's durable store: per container an append-only sequence of lines, numbered without gaps.
 *
 * <p>Layout: {@code <dir>/<containerId>/meta.json} and segments {@code <dir>/<containerId>/<firstSeq>.seg}
 * (first seq zero-padded to 20 digits). {@link #append} writes without fsync; callers group-commit by
 * appending several batches, calling {@link #sync()} once and only then acknowledging them.
 *
 * <p><b>Not thread-safe.</b> Every call must come from one thread (the collector's store thread); the
 * store keeps reusable buffers and unsynchronised state.
 */
public interface LogStore extends AutoCloseable {

  /** Opens the store under {@code dir} (created if missing) and recovers every container already there. */
  static LogStore open(Path dir, LogStoreOptions options) throws IOException {
    return FileLogStore.open(dir, options);
  }

  /**
   * Stores the lines of {@code batch} whose seq is above {@link #lastSeq}; the others are already held and
   * are dropped as duplicates. Also records the batch's {@link ContainerMeta} when it changed.
   * Nothing is fsynced: see {@link #sync()}.
   *
   * @throws SequenceGapException if the container holds data and the batch starts after lastSeq + 1;
   *     nothing is written then
   * @throws IllegalArgumentException if the container id is not a safe directory name, or the batch
   *     has lines and starts below seq 1
   */
  AppendResult append(LineBatch batch) throws IOException;

  /**
   * Like {@link #append(LineBatch)}, for a stream that may have been stored elsewhere in between (it moved
   * to another collector and back): the sender vouches that every seq up to {@code storedThrough} is stored
   * somewhere. A batch that starts after lastSeq + 1 is then taken if {@code storedThrough >= firstSeq - 1},
   * leaving a hole this store never fills; otherwise it is a gap, refused. A negative {@code storedThrough}
   * vouches for nothing.
   */
  AppendResult append(LineBatch batch, long storedThrough) throws IOException;

  /** Forces to disk every segment, meta file and directory written since the previous sync. */
  void sync() throws IOException;

  /** The last stored seq of the container, 0 when it holds nothing. */
  long lastSeq(String containerId);

  /** The first stored seq of the container, 0 when it holds nothing. */
  long firstSeq(String containerId);

  /** One summary per known container, in no particular order. */
  List<ContainerSummary> containers();

  Optional<ContainerMeta> meta(String containerId);

  /**
   * The stored lines with seq above {@code afterSeq}, in seq order and contiguous (a read stops before a hole,
   * and one that starts inside a hole answers from the first line after it): at most {@code limit} lines, and
   * fewer when they would exceed {@link LogStoreOptions#maxReadBytes()} (always at least one line if any
   * is there). Sees every append, synced or not. An unknown container gives an empty batch whose meta
   * holds just the id.
   */
  LineBatch read(String containerId, long afterSeq, int limit) throws IOException;

  /** Syncs, then closes every file; the store is unusable afterwards. */
  @Override
  void close() throws IOException;
}
