package io.dockline.collector.impl;

import io.dockline.collector.LogStoreOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rewrites sealed segments into compressed blocks on its own thread, never on the path that acknowledges
 * lines. Works on a copy in {@code <root>/.compact} and swaps it in under the container's write lock only if
 * the segment is still the one it read (retention or a purge may have deleted or rewritten it meanwhile);
 * either file holds the same lines, so a crash at any point leaves a readable segment.
 */
final class Compactor implements AutoCloseable {
  static final String DIR = ".compact"; // a container id never starts with '.', so it cannot clash
  private static final System.Logger LOG = System.getLogger(Compactor.class.getName());

  private final Path dir;
  private final boolean compress;
  private final Fsync fsync;
  private final CorruptChunks corrupt;
  private final ExecutorService thread;
  private final ChunkReader reader = new ChunkReader();
  private final AtomicInteger pending = new AtomicInteger();
  private volatile boolean stopping;

  private Compactor(Path dir, boolean compress, Fsync fsync, CorruptChunks corrupt, ExecutorService thread) {
    this.dir = dir;
    this.compress = compress;
    this.fsync = fsync;
    this.corrupt = corrupt;
    this.thread = thread;
  }

  /** Clears what an interrupted run left in {@code <root>/.compact}. */
  static Compactor start(Path root, LogStoreOptions options, Fsync fsync, CorruptChunks corrupt) throws IOException {
    Path dir = Files.createDirectories(root.resolve(DIR));
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir)) {
      for (Path file : leftovers) Files.deleteIfExists(file);
    }
    boolean compress = options.compression() == LogStoreOptions.Compression.ZSTD;
    return new Compactor(dir, compress, fsync, corrupt, Executors.newSingleThreadExecutor(options.compactionThreads()));
  }

  /** Whether sealed segments are compacted at all ({@code compression} is not NONE). */
  boolean enabled() { return compress; }

  /** Queues a sealed segment that is not compacted yet. Any thread. */
  void submit(ContainerLog log, SealedSegment segment) {
    if (!compress || stopping || segment.compacted) return;
    pending.incrementAndGet();
    try {
      thread.execute(() -> {
        try {
          compact(log, segment);
        } finally {
          pending.decrementAndGet();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      pending.decrementAndGet(); // closing
    }
  }

  /** Waits until nothing is queued or running; false on timeout. For tests and benchmarks. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (pending.get() > 0) {
      if (System.nanoTime() > deadline) return false;
      Thread.sleep(10);
    }
    return true;
  }

  /** Lets the running compaction stop at its next block and waits for it; queued ones are dropped. */
  @Override
  public void close() {
    stopping = true;
    thread.shutdownNow();
    try {
      thread.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void compact(ContainerLog log, SealedSegment segment) {
    if (stopping || !log.holds(segment)) return;
    Path temp = dir.resolve(log.id() + "-" + segment.path.getFileName());
    try {
      BlockWriter blocks;
      long size;
      try (FileChannel in = FileChannel.open(segment.path, StandardOpenOption.READ);
           FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
               StandardOpenOption.WRITE)) {
        blocks = new BlockWriter(out, segment.baseSeq, true);
        ChunkWalk.walk(in, segment.dataStart, in.size(), reader,
            (position, why) -> corrupt.found(log.id(), segment.key, position, why),
            (header, bytes, body) -> {
              if (stopping) throw new IOException("store closing");
              blocks.add(header, bytes, body);
            });
        size = blocks.finish();
        fsync.channel(out, temp);
      }
      if (!log.replaceCompacted(segment, temp, size, blocks.stats(), blocks.index())) Files.deleteIfExists(temp);
    } catch (NoSuchFileException e) {
      deleteQuietly(temp); // deleted by retention meanwhile
    } catch (IOException | RuntimeException e) {
      if (!stopping) LOG.log(System.Logger.Level.WARNING, "container " + log.id() + ": could not compact "
          + segment.path.getFileName() + ", it stays as written: " + e);
      deleteQuietly(temp);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // cleared at the next start
    }
  }
}
