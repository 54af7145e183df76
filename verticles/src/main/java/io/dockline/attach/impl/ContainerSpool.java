package io.dockline.attach.impl;

import io.dockline.wire.LineBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One container's part of the agent's {@link Spool}: its file, how many batches wait in it, and the bytes of
 * batches still on the heap. Used on the agent's context; the file is touched on the spool thread only.
 *
 * <p>Contract: batches come out in the order they went in. A batch counts as spooled from the moment its
 * write is queued. Batches the file could not take (a write failed: disk full, say) are kept in memory
 * ({@link #pollUnwritten}): they follow what the file holds, and nothing more should be written until they
 * are out, so the order holds. {@link #heldBytes} is what of this spool is on the heap: batches queued for
 * writing and batches not written.
 */
final class ContainerSpool {
  private static final Logger LOG = Logger.getLogger(ContainerSpool.class.getName());

  /** What an earlier run left in the file: how many batches, and the seq of the last line (0: none). */
  record Leftover(int batches, long lastSeq) {}

  private final ReaderContext ctx;
  private final Spool spool;
  /** Null until first needed (or found on disk). Touched on the spool thread only. */
  private SpoolFile file;
  private int batches;
  /** False until any file left on disk by an earlier run has been read. */
  private boolean checked;
  private boolean loading;
  /** Completes when the read in progress has handed its batch over. */
  private Promise<Void> loaded;
  private long queuedBytes;
  private final ArrayDeque<LineBatch> unwritten = new ArrayDeque<>();
  private long unwrittenBytes;

  ContainerSpool(ReaderContext ctx) {
    this.ctx = ctx;
    this.spool = ctx.spool();
  }

  /** Opens the file an earlier run left, if any: its batches go out before anything newer. */
  Future<Leftover> open() {
    return spool.run(() -> {
      java.nio.file.Path f = spool.fileOf(ctx.containerId());
      if (!java.nio.file.Files.exists(f)) return new Leftover(0, 0);
      file = SpoolFile.open(f);
      spool.usedBytes.addAndGet(file.bytes());
      return new Leftover(file.batches(), file.lastSeq());
    }).andThen(ar -> {
      checked = true;
      if (ar.succeeded()) batches = ar.result().batches();
    });
  }

  boolean isChecked() {
    return checked;
  }

  /** Batches wait in the file (or their write is queued). */
  boolean holdsBatches() {
    return batches > 0;
  }

  boolean hasRoom() {
    return spool.hasRoom();
  }

  Spool.Policy policy() {
    return spool.policy;
  }

  /** Bytes of this spool's batches on the heap: queued for writing, or not written. */
  long heldBytes() {
    return queuedBytes + unwrittenBytes;
  }

  boolean hasUnwritten() {
    return !unwritten.isEmpty();
  }

  LineBatch pollUnwritten() {
    LineBatch b = unwritten.pollFirst();
    if (b != null) unwrittenBytes -= b.dataLength();
    return b;
  }

  /** Whether a read is in progress (one at a time). */
  boolean isLoading() {
    return loading;
  }

  /**
   * Reads the oldest batch and hands it to {@code take} (not when the file turned out to hold none: the batches
   * counted were not written after all, and are {@linkplain #pollUnwritten unwritten}).
   */
  Future<Void> load(Consumer<LineBatch> take) {
    loading = true;
    loaded = Promise.promise();
    return spool.run(() -> {
      long before = file.bytes();
      LineBatch b = file.poll();
      spool.usedBytes.addAndGet(file.bytes() - before);
      return b;
    }).transform(ar -> {
      loading = false;
      if (ar.failed()) {
        LOG.severe("reading the spool of " + ctx.name() + " failed: " + ar.cause() + "; its spooled lines are lost");
        batches = 0; // what cannot be read is not waited for forever
      } else if (ar.result() != null) {
        batches--;
        take.accept(ar.result());
      }
      loaded.tryComplete();
      return Future.<Void>succeededFuture();
    });
  }

  /** Completes once a read in progress has handed its batch over. */
  Future<Void> whenLoaded() {
    return loading ? loaded.future() : Future.succeededFuture();
  }

  /**
   * Writes {@code written} after what the file holds. Until written they count as {@linkplain #heldBytes held},
   * so a spool that falls behind pauses the reading instead of piling up lines on the heap; those a write
   * failed for are kept in memory. The future tells whether every batch was written.
   */
  Future<Boolean> write(List<LineBatch> written) {
    long bytes = 0;
    for (LineBatch b : written) bytes += b.dataLength();
    long queued = bytes;
    batches += written.size();
    queuedBytes += queued;
    return spool.run(() -> {
      List<LineBatch> notWritten = new ArrayList<>();
      for (LineBatch b : written) {
        try {
          if (!notWritten.isEmpty()) throw new IOException("an earlier batch was not written");
          if (file == null) file = SpoolFile.open(spool.fileOf(ctx.containerId()));
          spool.usedBytes.addAndGet(file.append(List.of(b)));
        } catch (IOException e) {
          if (notWritten.isEmpty()) {
            LOG.severe("spooling lines of " + ctx.name() + " failed: " + e + "; the spool counts as full a while");
            spool.writeFailed();
          }
          notWritten.add(b);
        }
      }
      return notWritten;
    }).andThen(ar -> queuedBytes -= queued).map(notWritten -> {
      batches -= notWritten.size();
      unwritten.addAll(notWritten);
      for (LineBatch b : notWritten) unwrittenBytes += b.dataLength();
      return notWritten.isEmpty();
    });
  }

  /**
   * Stopping: the file is rewritten to hold {@code older} (sent, not acknowledged), then what it holds, then
   * the unwritten batches and {@code newer}, in seq order, and closed (deleted when empty).
   */
  Future<Void> rewriteAndClose(List<LineBatch> older, List<LineBatch> newer) {
    List<LineBatch> after = new ArrayList<>(unwritten);
    after.addAll(newer);
    boolean nothingToKeep = older.isEmpty() && after.isEmpty() && batches == 0;
    return spool.run(() -> {
      if (file == null && nothingToKeep) return null;
      if (file == null) file = SpoolFile.open(spool.fileOf(ctx.containerId()));
      long before = file.bytes();
      file.rewrite(older, after);
      spool.usedBytes.addAndGet(file.bytes() - before);
      file.close(); // deleted when empty
      return null;
    }).mapEmpty();
  }

  /** Closes the file (deleted when empty) of a container that is gone. */
  Future<Void> close() {
    return spool.run(() -> {
      if (file != null) file.close();
      file = null;
      return null;
    }).mapEmpty();
  }
}
