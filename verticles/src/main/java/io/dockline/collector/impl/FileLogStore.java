package io.dockline.collector.impl;

import io.dockline.collector.AppendResult;
import io.dockline.collector.ContainerSummary;
import io.dockline.collector.LineSpan;
import io.dockline.collector.LineVisitor;
import io.dockline.collector.LogStore;
import io.dockline.collector.LogStoreOptions;
import io.dockline.collector.RetentionPolicy;
import io.dockline.collector.RetentionReport;
import io.dockline.collector.StoreFullException;
import io.dockline.collector.StoreUsage;
import io.dockline.config.Durations;
import io.dockline.wire.ContainerMeta;
import io.dockline.collector.TextFilter;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineMatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link LogStore} on the local file system: one directory per container. One writer thread by contract,
 * which is what lets one encode buffer serve every container; readers on other threads each have their own
 * read window and take a container's read lock (see {@link ContainerLog}).
 *
 * <p>A sync makes the group durable the cheaper way: a group that wrote to one container forces that
 * container's segment; a group that wrote to several goes to the shared {@link WriteAheadLog} in one
 * write and one fdatasync, and their segments are forced later, at the log's checkpoint. A collector fed by
 * hundreds of quiet containers then pays one fsync per group instead of one per container.
 */
public final class FileLogStore implements LogStore {
  private static final System.Logger LOG = System.getLogger(FileLogStore.class.getName());
  private final Path root;
  private final LogStoreOptions options;
  private final Map<String, ContainerLog> logs;
  private final Fsync fsync;
  private final ChunkEncoder encoder = new ChunkEncoder();
  /** Writes around the page cache: the write-ahead log always, the segments with {@link LogStoreOptions#writeAround}. */
  private final DirectWrites direct = new DirectWrites();
  /** Null when segments are written through the page cache. */
  private final DirectWrites segmentWrites;
  /** Backfills write their own forced files, outside the group the write-ahead log carries. */
  private final ChunkEncoder backfillEncoder = new ChunkEncoder();
  /** The writer thread's, for recovery, retention and purge. */
  private final ChunkReader reader = new ChunkReader();
  private final ThreadLocal<ChunkReader> readers = ThreadLocal.withInitial(ChunkReader::new);
  /** Blocks scans decoded lately ({@link LogStoreOptions#scanCacheBytes}). */
  private final DecodedBlocks decodedBlocks;
  private final CorruptChunks corrupt;
  /** Containers written since the last sync; insertion-ordered so syncs are repeatable. */
  private final Set<ContainerLog> unsynced = new LinkedHashSet<>();
  /** Containers whose segments hold lines made durable only by the write-ahead log. */
  private final Set<ContainerLog> behindLog = new LinkedHashSet<>();
  private final IdleSegments idle;
  private WriteAheadLog wal;
  private Compactor compactor;
  private long replayedLines;
  private boolean rootUnsynced;
  private volatile boolean closed;

  private FileLogStore(Path root, LogStoreOptions options, Map<String, ContainerLog> logs, Fsync fsync,
                       CorruptChunks corrupt) {
    this.root = root;
    this.corrupt = corrupt;
    this.options = options;
    this.segmentWrites = options.writeAround() ? direct : null;
    this.decodedBlocks = new DecodedBlocks(options.scanCacheBytes());
    this.logs = logs;
    this.fsync = fsync;
    this.idle = new IdleSegments(options.closeIdleAfter());
  }

  public static FileLogStore open(Path dir, LogStoreOptions options) throws IOException {
    Path root = Files.createDirectories(dir);
    Map<String, ContainerLog> logs = new ConcurrentHashMap<>();
    Fsync fsync = new Fsync(options.force());
    CorruptChunks corrupt = new CorruptChunks();
    ChunkReader reader = new ChunkReader();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String id = entry.getFileName().toString();
        if (!ContainerIds.isSafe(id) || !Files.isDirectory(entry)) continue;
        try {
          Optional<ContainerLog> log = ContainerLog.recover(entry, id, reader, fsync, corrupt);
          if (log.isPresent()) {
            logs.put(id, log.get());
            log.get().releaseSegment(); // a store of many containers would otherwise open a file for each
          }
        } catch (IOException | RuntimeException e) {
          closeAll(logs.values(), e);
          throw e;
        }
      }
    }
    FileLogStore store = new FileLogStore(root, options, logs, fsync, corrupt);
    try {
      store.wal = WriteAheadLog.open(root, store::replay, fsync, store.direct);
      if (store.replayedLines > 0) {
        LOG.log(System.Logger.Level.INFO, store.replayedLines + " lines restored from the write-ahead log");
      }
      // Recovery may have truncated or deleted files and replay rewritten tails: force it all, then the
      // records replayed are no longer needed.
      for (ContainerLog log : logs.values()) {
        log.sync();
        log.releaseSegment();
      }
      fsync.directory(root);
      store.wal.startOver();
      store.compactor = Compactor.start(root, options, fsync, corrupt);
      for (ContainerLog log : logs.values()) log.compactWith(store.compactor);
    } catch (IOException | RuntimeException e) {
      if (store.compactor != null) store.compactor.close();
      if (store.wal != null) store.wal.close();
      closeAll(logs.values(), e);
      throw e;
    }
    return store;
  }

  /** A chunk from the write-ahead log goes back into its container's segment if the segment lost it. */
  private void replay(String id, ByteBuffer chunk, long firstSeq, long lastSeq) throws IOException {
    ContainerLog log = logFor(id);
    if (log.replay(chunk, firstSeq, lastSeq, options.segmentBytes())) replayedLines += lastSeq - firstSeq + 1;
  }

  @Override
  public AppendResult append(LineBatch batch) throws IOException {
    return append(batch, -1);
  }

  @Override
  public AppendResult append(LineBatch batch, long storedThrough) throws IOException {
    ensureOpen();
    ContainerMeta meta = batch.container();
    if (batch.count() > 0 && batch.firstSeq() < 1) {
      throw new IllegalArgumentException("seqs start at 1, batch " + batch + " starts at " + batch.firstSeq());
    }
    try {
      ContainerLog log = logFor(meta.id());
      unsynced.add(log);
      idle.written(log, System.nanoTime());
      // a container this store has never held takes its first batch wherever it starts (the pre-cluster rule)
      long vouched = storedThrough < 0 && log.lastSeq() == 0 ? Long.MAX_VALUE : storedThrough;
      return log.append(batch, vouched, encoder, segmentWrites, options.segmentBytes());
    } catch (IOException e) {
      throw storeFullIfNoRoom(e, meta.id());
    }
  }

  /** A write that failed for lack of room is a {@link StoreFullException}; any other failure stays as it is. */
  private IOException storeFullIfNoRoom(IOException e, String containerId) {
    if (e instanceof StoreFullException || !DiskFull.is(e, root)) return e;
    return new StoreFullException("no room for container " + containerId + ": " + e, e);
  }

  @Override
  public int backfill(LineBatch batch) throws IOException {
    ensureOpen();
    ContainerLog log = find(batch.container().id());
    if (log == null) return 0;
    try {
      return log.backfill(batch, backfillEncoder, reader);
    } catch (IOException e) {
      throw storeFullIfNoRoom(e, log.id());
    }
  }

  @Override
  public List<long[]> ranges(String containerId) throws IOException {
    ensureOpen();
    ContainerLog log = find(containerId);
    return log == null ? List.of() : log.ranges(reader);
  }

  @Override
  public void sync() throws IOException {
    ensureOpen();
    syncAll();
  }

  @Override
  public long lastSeq(String containerId) {
    ensureOpen();
    ContainerLog log = find(containerId);
    return log == null ? 0 : log.lastSeq();
  }

  @Override
  public long firstSeq(String containerId) {
    ensureOpen();
    ContainerLog log = find(containerId);
    return log == null ? 0 : log.firstSeq();
  }

  @Override
  public List<ContainerSummary> containers() {
    ensureOpen();
    List<ContainerSummary> summaries = new ArrayList<>(logs.size());
    for (ContainerLog log : logs.values()) summaries.add(log.summary());
    return summaries;
  }

  @Override
  public Optional<ContainerMeta> meta(String containerId) {
    ensureOpen();
    ContainerLog log = find(containerId);
    return log == null ? Optional.empty() : Optional.of(log.meta());
  }

  @Override
  public LineBatch read(String containerId, long afterSeq, int limit) throws IOException {
    ensureOpen();
    ContainerLog log = find(containerId);
    if (log == null) {
      return LineCollector.empty(new ContainerMeta(containerId, null, null, null, null), LineCollector.seqAfter(afterSeq));
    }
    return log.read(afterSeq, limit, options.maxReadBytes(), readers.get());
  }

  @Override
  public LineMatches search(String containerId, long afterSeq, TextFilter filter, int limit, int maxScan)
      throws IOException {
    ensureOpen();
    ContainerLog log = find(containerId);
    if (log == null) {
      return MatchCollector.empty(new ContainerMeta(containerId, null, null, null, null), LineCollector.seqAfter(afterSeq));
    }
    return log.find(afterSeq, filter, limit, maxScan, options.maxReadBytes(), readers.get());
  }

  /**
   * Waits until every sealed segment handed to the background compaction is compacted; false on timeout.
   * For tests and benchmarks, which measure what the disk holds once the store is settled.
   */
  public boolean awaitCompaction(Duration timeout) throws InterruptedException {
    return compactor.awaitIdle(timeout);
  }

  @Override
  public List<LineSpan> spans(String containerId) throws IOException {
    ensureOpen();
    ContainerLog log = find(containerId);
    return log == null ? List.of() : log.spans(readers.get());
  }

  @Override
  public void walk(String containerId, LineSpan span, boolean again, LineVisitor visitor) throws IOException {
    ensureOpen();
    ContainerLog log = find(containerId);
    if (log != null) log.walk(span, visitor, readers.get(), again ? decodedBlocks : null);
  }

  @Override
  public long seqAt(String containerId, long timeMillis) throws IOException {
    ensureOpen();
    ContainerLog log = find(containerId);
    return log == null ? 0 : log.seqAt(timeMillis, readers.get());
  }

  @Override
  public StoreUsage usage() {
    ensureOpen();
    long disk = wal.size();
    long raw = 0;
    long segments = 0;
    int containers = 0;
    long open = 0;
    for (ContainerLog log : logs.values()) {
      if (log.holdsOpenSegment()) open++;
      long[] segmentsAndRaw = log.segmentsAndRawBytes();
      disk += log.bytes();
      segments += segmentsAndRaw[0];
      raw += segmentsAndRaw[1];
      if (log.lastSeq() > 0) containers++;
    }
    return new StoreUsage(disk, raw, segments, containers, corrupt.count(), open);
  }

  @Override
  public long purge(String containerId, long throughSeq) throws IOException {
    ensureOpen();
    ContainerLog log = find(containerId);
    if (log == null) return 0;
    // the log's records must not bring purged lines back on the next open
    checkpoint();
    idle.written(log, System.nanoTime()); // a purge may leave a rewritten segment open
    return log.purge(throughSeq, reader);
  }

  @Override
  public RetentionReport retain(RetentionPolicy policy, long nowMillis) throws IOException {
    ensureOpen();
    idle.releaseIdle(System.nanoTime());
    for (ContainerLog log : logs.values()) {
      if (log.sealIfFirstLineBefore(nowMillis - options.sealAfter().toMillis())) behindLog.remove(log);
    }
    Retention run = new Retention(policy);
    for (ContainerLog log : logs.values()) {
      long cutoff = ageCutoff(log, policy.maxAge(), nowMillis);
      while (run.deletable(log) && oldestStats(log).maxTimeMillis() < cutoff) run.delete(log, Reason.AGE);
    }
    for (ContainerLog log : logs.values()) {
      while (log.bytes() > policy.containerBytes() && run.deletable(log)) run.delete(log, Reason.CONTAINER_CAP);
    }
    long total = 0;
    for (ContainerLog log : logs.values()) total += log.bytes();
    ContainerLog oldest;
    while (total > policy.diskBytes() && (oldest = oldestSegmentOf(run::deletable)) != null) {
      total -= run.delete(oldest, Reason.DISK_BUDGET);
    }
    // the budget is the operator's bound on the disk: held lines go too, oldest first, counted as unreleased
    while (total > policy.diskBytes() && (oldest = oldestSegmentOf(log -> log.oldestSealed() != null)) != null) {
      SegmentStats s = oldestStats(oldest);
      long released = policy.hold().releasedThrough(oldest.id());
      run.unreleased += s.lastSeq - Math.max(released, s.firstSeq - 1);
      total -= run.delete(oldest, Reason.DISK_BUDGET);
    }
    return run.finish();
  }

  /** Of the containers {@code eligible} takes, the one whose oldest sealed segment ends first; null when none. */
  private ContainerLog oldestSegmentOf(IoPredicate<ContainerLog> eligible) throws IOException {
    ContainerLog oldest = null;
    for (ContainerLog log : logs.values()) {
      if (eligible.test(log) && (oldest == null || oldestStats(log).maxTimeNanos < oldestStats(oldest).maxTimeNanos)) {
        oldest = log;
      }
    }
    return oldest;
  }

  @FunctionalInterface
  private interface IoPredicate<T> {
    boolean test(T t) throws IOException;
  }

  private enum Reason { AGE, CONTAINER_CAP, DISK_BUDGET }

  /** One retention run: deletes with the log checkpointed first, counts by reason, then removes what is gone. */
  private final class Retention {
    private final RetentionPolicy policy;
    private final Set<ContainerLog> touched = new LinkedHashSet<>();
    private final long[] bytes = new long[Reason.values().length];
    private final int[] segments = new int[Reason.values().length];
    private long unreleased;

    Retention(RetentionPolicy policy) {
      this.policy = policy;
    }

    /** Its oldest sealed segment may go: there is one, and nothing in it is held back. */
    boolean deletable(ContainerLog log) throws IOException {
      SealedSegment oldest = log.oldestSealed();
      return oldest != null && oldestStats(log).lastSeq <= policy.hold().releasedThrough(log.id());
    }

    /** Deletes the container's oldest sealed segment; returns its bytes. */
    long delete(ContainerLog log, Reason reason) throws IOException {
      if (touched.isEmpty()) checkpoint(); // the log's records must not bring deleted lines back on the next open
      touched.add(log);
      long deleted = log.deleteOldest();
      bytes[reason.ordinal()] += deleted;
      segments[reason.ordinal()]++;
      return deleted;
    }

    RetentionReport finish() throws IOException {
      List<String> gone = new ArrayList<>();
      for (ContainerLog log : touched) {
        if (log.isGone()) {
          forget(log);
          gone.add(log.id());
        } else {
          log.syncMetadata();
        }
      }
      if (rootUnsynced) {
        fsync.directory(root);
        rootUnsynced = false;
      }
      return new RetentionReport(bytes[0], segments[0], bytes[1], segments[1], bytes[2], segments[2], gone, unreleased);
    }
  }

  private SegmentStats oldestStats(ContainerLog log) throws IOException {
    return log.stats(log.oldestSealed(), reader);
  }

  /** Stamped before this, a line is older than the container's retention age (its label, else the node's). */
  private static long ageCutoff(ContainerLog log, Duration nodeAge, long nowMillis) {
    Duration age = nodeAge;
    String label = log.meta().labels().get(RetentionPolicy.AGE_LABEL);
    if (label != null) {
      try {
        age = Durations.parse(label);
      } catch (IllegalArgumentException e) {
        LOG.log(System.Logger.Level.WARNING, "container " + log.id() + ": ignoring label " + RetentionPolicy.AGE_LABEL
            + ": " + e.getMessage());
      }
    }
    try {
      return Math.subtractExact(nowMillis, age.toMillis());
    } catch (ArithmeticException e) {
      return Long.MIN_VALUE;
    }
  }

  /** Removes a container with no line left: its directory goes, it leaves {@link #containers()}. */
  private void forget(ContainerLog log) throws IOException {
    logs.remove(log.id());
    unsynced.remove(log);
    behindLog.remove(log);
    idle.forget(log);
    log.close();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(log.dir())) {
      for (Path file : files) Files.deleteIfExists(file);
    }
    Files.deleteIfExists(log.dir());
    rootUnsynced = true;
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    compactor.close();
    try {
      syncAll();
      checkpoint();
    } finally {
      closed = true;
      try {
        wal.close();
      } finally {
        closeAll(logs.values(), null);
      }
    }
  }

  private void syncAll() throws IOException {
    ByteBuffer records = unsynced.size() > 1 ? encoder.groupRecords() : null;
    if (records != null && !appendToLog(records)) records = null;
    if (records != null) {
      wal.force();
      for (ContainerLog log : unsynced) log.syncMetadata();
      behindLog.addAll(unsynced);
    } else {
      for (ContainerLog log : unsynced) log.sync();
      behindLog.removeAll(unsynced);
    }
    unsynced.clear();
    encoder.newGroup();
    if (rootUnsynced) {
      fsync.directory(root);
      rootUnsynced = false;
    }
    if (wal.size() >= options.logBytes()) checkpoint();
    idle.releaseIdle(System.nanoTime());
  }

  /**
   * False when the disk has no room for the records: the segments already hold the lines, so forcing each
   * of them makes the group durable without the log.
   */
  private boolean appendToLog(ByteBuffer records) throws IOException {
    try {
      wal.append(records);
      return true;
    } catch (IOException e) {
      if (!DiskFull.is(e, root)) throw e;
      LOG.log(System.Logger.Level.WARNING, "no room in the write-ahead log, forcing the segments instead: " + e);
      return false;
    }
  }

  /** Forces every segment the write-ahead log covers, then lets the log start over. */
  private void checkpoint() throws IOException {
    for (ContainerLog log : behindLog) log.forceSegment();
    behindLog.clear();
    wal.startOver();
  }

  /** The container's log, created (directory and all) the first time the container is seen. */
  private ContainerLog logFor(String id) throws IOException {
    ContainerLog log = logs.get(id);
    if (log == null) {
      log = ContainerLog.create(root, ContainerIds.requireSafe(id), fsync, corrupt);
      if (compactor != null) log.compactWith(compactor);
      logs.put(id, log);
      rootUnsynced = true;
    }
    return log;
  }

  /** Looks a container up; an id that could never have been stored is refused like on append. */
  private ContainerLog find(String containerId) {
    ContainerLog log = logs.get(containerId);
    if (log == null) ContainerIds.requireSafe(containerId);
    return log;
  }

  private void ensureOpen() {
    if (closed) throw new IllegalStateException("log store is closed");
  }

  private static void closeAll(Iterable<ContainerLog> logs, Throwable failure) throws IOException {
    IOException first = null;
    for (ContainerLog log : logs) {
      try {
        log.close();
      } catch (IOException e) {
        if (failure != null) failure.addSuppressed(e);
        else if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first != null) throw first;
  }
}
