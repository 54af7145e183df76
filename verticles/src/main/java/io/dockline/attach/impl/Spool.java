package io.dockline.attach.impl;

import io.dockline.config.BackgroundPriority;
import io.dockline.config.BackgroundThreads;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's disk spool: one {@link SpoolFile} per container under {@code <data-dir>/agent/spool}, all of
 * them worked on by one thread, in the order asked (a read asked after a write sees it). Its size is capped
 * for the whole agent; at the cap the policy decides: {@code block} stops reading the containers that need
 * more room, {@code drop-newest} discards their newest lines and counts them. A write that fails (the disk is
 * full) makes the spool count as full for a few seconds, so the same policy applies, and is counted.
 */
public final class Spool {
  public enum Policy { BLOCK, DROP_NEWEST }

  final Path dir;
  final long capBytes;
  final Policy policy;
  final AtomicLong usedBytes = new AtomicLong();
  /** Spool writes that failed (the spool's disk is full, say): counted, and the spool has no room a while. */
  final AtomicLong failedWrites = new AtomicLong();
  /** After a failed write the spool counts as full until then (System.nanoTime()), so the policy applies. */
  private volatile long noRoomUntil = System.nanoTime();
  private final ExecutorService thread;
  private final Context ctx;

  /**
   * {@code priority}: the spool thread's CPU priority. Its writes only go to the page cache, and on a host
   * whose cores are all taken the containers and the reading of their output come first; a spool that falls
   * behind holds its batches in the reader's memory budget, so reading pauses before the heap fills.
   */
  public Spool(Context ctx, Path dir, long capBytes, Policy policy, BackgroundPriority priority) {
    this.thread = Executors.newSingleThreadExecutor(BackgroundThreads.factory("dockline-agent-spool", priority));
    this.ctx = ctx;
    this.dir = dir;
    this.capBytes = capBytes;
    this.policy = policy;
  }

  /** How long the spool counts as full after a write failed: then a write is tried again. */
  static final long NO_ROOM_AFTER_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(5);

  boolean hasRoom() {
    return usedBytes.get() < capBytes && System.nanoTime() - noRoomUntil >= 0;
  }

  /** A write failed: the spool is full for {@link #NO_ROOM_AFTER_FAILURE_NANOS}, and its policy applies. */
  void writeFailed() {
    failedWrites.incrementAndGet();
    noRoomUntil = System.nanoTime() + NO_ROOM_AFTER_FAILURE_NANOS;
  }

  /** True while the spool counts as full because a write failed. */
  public boolean diskFull() {
    return System.nanoTime() - noRoomUntil < 0;
  }

  /** Runs blocking spool work on the spool thread; the future completes on the agent's context. */
  <T> Future<T> run(Callable<T> work) {
    return BackgroundThreads.submit(thread, ctx, work);
  }

  /** Ids of the containers that have a spool file (left by an earlier run, or being written now). */
  public Future<List<String>> containersOnDisk() {
    return run(() -> {
      List<String> ids = new ArrayList<>();
      if (!Files.isDirectory(dir)) return ids;
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SpoolFile.SUFFIX)) {
        for (Path f : files) {
          String n = f.getFileName().toString();
          ids.add(n.substring(0, n.length() - SpoolFile.SUFFIX.length()));
        }
      }
      return ids;
    });
  }

  Path fileOf(String containerId) {
    return SpoolFile.pathOf(dir, containerId);
  }

  /** Lets queued work finish, then stops the thread. */
  public void close() throws InterruptedException, IOException {
    thread.shutdown();
    thread.awaitTermination(30, TimeUnit.SECONDS);
  }
}
