package io.dockline.collector;

import io.dockline.collector.impl.FileLogStore;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineMatches;
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
 * A container's current segment stays open while it writes and is closed, forced, once it has been quiet for
 * {@link LogStoreOptions#closeIdleAfter()}, so open files follow the containers writing now; nothing else
 * (reads, order, dedup) depends on whether it is open.
 *
 * <p>Thread rules: one <em>writer thread</em> makes every call that changes the store ({@link #append},
 * {@link #sync}, {@link #retain}, {@link #purge}, {@link #close}). The reads ({@link #read}, {@link #lastSeq},
 * {@link #firstSeq}, {@link #containers}, {@link #meta}, {@link #usage}, {@link #seqAt}) are safe from any
 * thread, concurrently with the writer and each other: they never wait for a sync (a group commit), only,
 * briefly, for the write of one chunk of the same container.
 *
 * <p>Lines leave only by {@link #retain} (whole sealed segments, oldest first) and {@link #purge}: a container's
 * beginning is then trimmed ({@link #firstSeq} moves up), and reads before it start at the first kept line.
 * A damaged chunk is a hole: its lines are skipped, counted in {@link StoreUsage#corruptChunks()}, never an
 * error that stays.
 */
public interface LogStore extends AutoCloseable {

  /**
   * Opens the store under {@code dir} (created if missing) and recovers every container already there. A
   * damaged file does not stop the open: only a torn tail of a container's last segment is cut, any other
   * damaged chunk becomes a hole.
   */
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
   * @throws StoreFullException if the disk has no room: nothing of this batch is held then (see there)
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

  /**
   * Stores older lines the container lacks, copied from another replica: the lines of {@code batch} that fall
   * in a hole below {@link #lastSeq} (before the first held line, or between two held ranges). Lines it already
   * holds, lines above lastSeq (appends bring those, in order) and lines a {@link #purge} deleted are not
   * taken; a container the store does not hold takes nothing. Durable when it returns (no {@link #sync()}):
   * each run of lines is a new sealed segment in the ordinary format, forced before it is renamed into place.
   * Reads see the lines at once, in seq order; {@link #firstSeq} moves down when they come before it;
   * {@link #append}'s order and deduplication are unchanged. Retention treats them like any other lines.
   * Writer thread.
   *
   * @return the lines taken
   * @throws StoreFullException if the disk has no room: nothing of the run being written is held then
   */
  int backfill(LineBatch batch) throws IOException;

  /**
   * The runs of consecutive seqs the container holds, each {first, last}, in seq order (one run unless it has
   * holes); empty for a container it does not hold. A replica compares them with another's to find the lines
   * it lacks. Writer thread (a sealed segment's seqs are summed from the file on first use).
   */
  List<long[]> ranges(String containerId) throws IOException;

  /** Forces to disk every segment, meta file and directory written since the previous sync. */
  void sync() throws IOException;

  /** The last stored seq of the container, 0 when it holds nothing. */
  long lastSeq(String containerId);

  /**
   * The first stored seq of the container, 0 when it is unknown; {@code lastSeq + 1} when every line it
   * held was purged (the store still knows where it ended, so a resend of those lines is a duplicate).
   */
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

  /**
   * The stored lines with seq above {@code afterSeq} that {@code filter} matches, in seq order: the scan covers
   * the same lines {@link #read} would give, contiguous from the first held line after {@code afterSeq}, and
   * stops after {@code maxScan} lines, at {@code limit} matches, or before a match that would take the answer past
   * {@link LogStoreOptions#maxReadBytes()} (at least one match is taken); the answer says which seqs it scanned.
   * Only matching lines are copied. Safe on any thread, as {@link #read}.
   */
  LineMatches search(String containerId, long afterSeq, TextFilter filter, int limit, int maxScan) throws IOException;

  /**
   * The container's lines as the spans a time-ordered scan picks from ({@link LineSpan}), in seq order; empty for
   * a container the store does not hold. Safe on any thread, as {@link #read}.
   */
  List<LineSpan> spans(String containerId) throws IOException;

  /**
   * Visits every line of a span {@link #spans} gave, in seq order, skipping damaged chunks; nothing when the
   * span is gone since (retention). Safe on any thread, as {@link #read}.
   */
  default void walk(String containerId, LineSpan span, LineVisitor visitor) throws IOException {
    walk(containerId, span, false, visitor);
  }

  /**
   * {@link #walk}; with {@code again}, a block decoded for it is kept decoded a while (see
   * {@link LogStoreOptions#scanCacheBytes}): the caller is likely to walk it again soon, as a search's next page
   * starts in the blocks its last one ended in.
   */
  void walk(String containerId, LineSpan span, boolean again, LineVisitor visitor) throws IOException;

  /**
   * Deletes what {@code policy} says must go, in whole sealed segments, oldest first; the segment being
   * written never goes, so a container's size stays within its cap plus one segment. First seals a current
   * segment whose writing started more than {@link LogStoreOptions#sealAfter()} before {@code nowMillis}, so
   * the lines of a quiet or removed container age out too. Age is measured by the lines' own timestamps.
   * Writer thread; durable when it returns (a later open does not bring deleted lines back).
   */
  RetentionReport retain(RetentionPolicy policy, long nowMillis) throws IOException;

  /**
   * Deletes exactly the container's lines with seq up to {@code throughSeq} from disk (a leaked secret): whole
   * segments below it, and the segment holding the boundary is rewritten without them. Writer thread; durable
   * when it returns.
   *
   * @return the container's new {@link #firstSeq}; 0 for a container the store does not know
   */
  long purge(String containerId, long throughSeq) throws IOException;

  /**
   * The highest seq of the container whose line is stamped at or before {@code timeMillis}, 0 when none is:
   * {@code purge(id, seqAt(id, t))} deletes the lines up to a time.
   */
  long seqAt(String containerId, long timeMillis) throws IOException;

  /** What the store holds on disk now. */
  StoreUsage usage();

  /** Syncs, then closes every file; the store is unusable afterwards. */
  @Override
  void close() throws IOException;
}
