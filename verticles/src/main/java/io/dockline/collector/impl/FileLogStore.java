package io.dockline.collector.impl;

import io.dockline.collector.AppendResult;
import io.dockline.collector.ContainerSummary;
import io.dockline.collector.LogStore;
import io.dockline.collector.LogStoreOptions;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link LogStore} on the local file system: one directory per container. Single-threaded by contract,
 * which is what lets one encode buffer and one read window serve every container.
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
  private final ChunkReader reader = new ChunkReader();
  /** Containers written since the last sync; insertion-ordered so syncs are repeatable. */
  private final Set<ContainerLog> unsynced = new LinkedHashSet<>();
  /** Containers whose segments hold lines made durable only by the write-ahead log. */
  private final Set<ContainerLog> behindLog = new LinkedHashSet<>();
  private WriteAheadLog wal;
  private long replayedLines;
  private boolean rootUnsynced;
  private boolean closed;

  private FileLogStore(Path root, LogStoreOptions options, Map<String, ContainerLog> logs, Fsync fsync) {
    this.root = root;
    this.options = options;
    this.logs = logs;
    this.fsync = fsync;
  }

  public static FileLogStore open(Path dir, LogStoreOptions options) throws IOException {
    Path root = Files.createDirectories(dir);
    Map<String, ContainerLog> logs = new HashMap<>();
    Fsync fsync = new Fsync(options.force());
    ChunkReader reader = new ChunkReader();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String id = entry.getFileName().toString();
        if (!ContainerIds.isSafe(id) || !Files.isDirectory(entry)) continue;
        try {
          ContainerLog.recover(entry, id, reader, fsync).ifPresent(log -> logs.put(id, log));
        } catch (IOException | RuntimeException e) {
          closeAll(logs.values(), e);
          throw e;
        }
      }
    }
    FileLogStore store = new FileLogStore(root, options, logs, fsync);
    try {
      store.wal = WriteAheadLog.open(root, store::replay, fsync);
      if (store.replayedLines > 0) {
        LOG.log(System.Logger.Level.INFO, store.replayedLines + " lines restored from the write-ahead log");
      }
      // Recovery may have truncated or deleted files and replay rewritten tails: force it all, then the
      // records replayed are no longer needed.
      for (ContainerLog log : logs.values()) log.sync();
      fsync.directory(root);
      store.wal.startOver();
    } catch (IOException | RuntimeException e) {
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
    ContainerLog log = logFor(meta.id());
    unsynced.add(log);
    // a container this store has never held takes its first batch wherever it starts (the pre-cluster rule)
    long vouched = storedThrough < 0 && log.lastSeq() == 0 ? Long.MAX_VALUE : storedThrough;
    return log.append(batch, vouched, encoder, options.segmentBytes());
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
    return log.read(afterSeq, limit, options.maxReadBytes(), reader);
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
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
    if (records != null) {
      wal.append(records);
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
      log = ContainerLog.create(root, ContainerIds.requireSafe(id), fsync);
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
