package io.dockline.attach.impl;

import io.dockline.wire.LineBatch;
import io.dockline.wire.Losses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs mode (the container's log driver keeps its output): the logs endpoint with Docker's timestamps, read
 * from a {@link Checkpoint} under {@code <data-dir>/agent/checkpoints/}.
 *
 * <p>Numbering is a function of the log: from the checkpoint's seq on, or from 1 at the log's beginning, so
 * lines read again get the seqs they had and the collectors drop them. The checkpoint follows the
 * acknowledged lines ({@link #acknowledged}), saved at most once a second and on stop. The stream ends when
 * the container stops and is opened again, after the last line read ({@link LogResume}), when it starts.
 *
 * <p>Lines grouped into records ({@link RecordStage}): the checkpoint lies only at a record boundary, at a point
 * where no record cut at the size cap is partly acknowledged on either stream, and its {@code since} is never
 * past the first line of a record still open on either stream; a resume reads such records again whole and
 * numbers them as before, so it neither splits nor repeats a record.
 */
final class LogsSource extends LineSource {
  private static final Logger LOG = Logger.getLogger(LogsSource.class.getName());

  private boolean tty;
  private LogsDecoder decoder;
  /** True while the checkpoint is being loaded: numbering starts from it. */
  private boolean loading;
  /**
   * Per stream, the last acknowledged line, with the seq of the last one; saved to disk at most once a
   * second and on stop. Null while a first-format checkpoint's line is looked for.
   */
  private LogPosition acked;
  private long ackedSeq;
  private boolean saveScheduled;
  /** The checkpoint loaded, and what the stream being read passed (a reopened stream continues after it). */
  private Checkpoint loadedCheckpoint;
  private LogResume reading;
  private boolean opened;
  /** The container started again while the previous run's stream was still being read. */
  private boolean reopenAfterEnd;
  /** New lines the stream being read brought (not those read again after a resume). */
  private long streamNewLines;
  /** Per stream, the time of a line whose pieces a closed stream left unread (Long.MAX_VALUE: none). */
  private final long[] droppedPieces = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
  private long toleranceNanos = 2_000_000_000L; // NodeConfig's logs-reorder-tolerance sets it
  /** Groups lines into records (null: not grouped); kept across reopened streams, which continue after it. */
  private RecordStage records;
  /** Where the checkpoint may lie when lines are grouped into records. */
  private final RecordCheckpoint recordCheckpoint = new RecordCheckpoint();
  private int outOfOrderLogged;

  LogsSource(Host host) {
    super(host);
  }

  private Path checkpointFile() {
    return AgentDirs.ofSpool(ctx.spool().dir).checkpoint(ctx.containerId());
  }

  /** Sets how far back in time a log line may be stamped behind one Docker wrote before it. */
  void setReorderTolerance(long millis) {
    toleranceNanos = millis * 1_000_000L;
  }

  /** Loads the checkpoint, then follows the logs from it. */
  void start(boolean hasTty) {
    tty = hasTty;
    if (host.multiline().groups()) {
      records = new RecordStage(ctx, host.multiline(), (s, flags, t, b, off, len, boundary, tag) -> {
        recordCheckpoint.sent(s, boundary ? (LogPosition.Mark) tag : null);
        host.add(t, s, flags, b, off, len);
      }, host::read);
    }
    loading = true;
    Path file = checkpointFile();
    ctx.spool().run(() -> Checkpoint.load(file)).onComplete(ar -> {
      loadedCheckpoint = ar.succeeded() ? ar.result() : null;
      ackedSeq = loadedCheckpoint == null ? 0 : loadedCheckpoint.seq;
      host.numberFrom(ackedSeq + 1);
      reading = resumeFromCheckpoint();
      acked = reading.resumedFrom() == null ? null : reading.resumedFrom().copy();
      loading = false;
      open();
      host.pump();
    });
  }

  /** False while numbering waits for the checkpoint. */
  boolean ready() {
    return !loading;
  }

  /**
   * Follows the logs endpoint from where reading stopped (the last line read, or the checkpoint); the stream
   * ends when the container stops, and is opened again when it starts.
   */
  @Override
  Future<Void> open() {
    boolean stop = host.stopping();
    if (stream.isBusy() && !stop) reopenAfterEnd = true; // (re)started while the old run is still being read
    if (loading || stream.isBusy() || stop) return Future.succeededFuture();
    reopenAfterEnd = false;
    if (opened) reading = resumeAfterRead();
    opened = true;
    streamNewLines = 0;
    decoder = new LogsDecoder(tty, ctx.maxLineBytes(), new LogsDecoder.Sink() {
      @Override
      public void line(byte s, byte flags, long timeNanos, byte[] buf, int off, int len) {
        onLine(s, flags, timeNanos, buf, off, len);
      }

      @Override
      public void lineStarted(byte s, long timeNanos) {
        reading.lineStarted(s, timeNanos);
      }
    });
    return stream.open(HttpMethod.GET, "/containers/" + ctx.containerId() + "/logs?follow=1&stdout=1&stderr=1&timestamps=1&since="
        + LogResume.sinceParameter(reading.since()), "logs of", host::stopping, this::onData);
  }

  private LogResume resumeFromCheckpoint() {
    Checkpoint cp = loadedCheckpoint;
    LogResume.Listener l = listener();
    if (cp == null) return LogResume.fromStart(toleranceNanos, tty, l);
    if (cp.position == null) return LogResume.afterFirstFormat(cp.firstFormatTime, cp.firstFormatRun, toleranceNanos, tty, l);
    return LogResume.after(cp.position, cp.sinceNanos, Long.MIN_VALUE, toleranceNanos, tty, l);
  }

  /** A stream opened again continues after the last line read (a first-format checkpoint is looked for again). */
  private LogResume resumeAfterRead() {
    if (reading.resumedFrom() == null) return resumeFromCheckpoint();
    LogPosition read = reading.position();
    long since = LogResume.since(read, droppedPieces, reading.newestSeen(), toleranceNanos, tty);
    return LogResume.after(read, since, reading.newestSeen(), toleranceNanos, tty, listener());
  }

  /** Lines read against what resuming relies on are counted and logged (the first few per container). */
  private LogResume.Listener listener() {
    return new LogResume.Listener() {
      @Override
      public void outOfOrder(String what) {
        ctx.metrics().logsOutOfOrder.increment();
        LOG.log(outOfOrderLogged++ < 3 ? Level.WARNING : Level.FINE, () -> "logs of " + host.name() + ": " + what
            + "; a resume around it could lose or repeat lines");
      }

      @Override
      public void mismatch(String what) {
        ctx.metrics().logsResumeMismatches.increment();
        ctx.lost(Losses.Reason.LOGS_ROTATED, 0);
        LOG.warning("resuming the logs of " + host.name() + ": " + what);
      }
    };
  }

  private void onData(Buffer buf) {
    stream.decode(buf, decoder::feed);
    host.read();
  }

  /** A line of the logs endpoint; lines passed before a resume are skipped. */
  private void onLine(byte s, byte flags, long timeNanos, byte[] buf, int off, int len) {
    if (!reading.accept(s, timeNanos, buf, off, len)) return;
    if (acked == null) acked = reading.resumedFrom().copy(); // a first-format checkpoint's line was found
    streamNewLines++;
    if (records != null) {
      records.feed(s, flags, timeNanos, buf, off, len, reading.position().mark(s));
    } else {
      host.add(timeNanos, s, flags, buf, off, len);
    }
  }

  /**
   * The container stopped. Docker may end the stream before it sent everything (seen with a reader far
   * behind), so one that brought new lines is opened again after them; the one that brings nothing new is
   * the end, and its unterminated last lines are whole. A broken stream or a stop leaves the pieces of a
   * line cut short unread: they are read again, whole, from the logs.
   */
  @Override
  void ended(boolean failed, boolean stop) {
    boolean maybeCutShort = streamNewLines > 0 && !failed;
    if (decoder != null && !failed && !stop && !maybeCutShort) {
      decoder.finish();
      if (records != null) records.finish();
    }
    for (byte s = 1; s <= 2 && decoder != null; s++) {
      droppedPieces[s] = Math.min(droppedPieces[s], decoder.heldTimeNanos(s));
    }
    decoder = null;
    if ((reopenAfterEnd || maybeCutShort) && !stop) {
      ctx.vertx().runOnContext(v -> open().onFailure(e -> host.checkDone())); // (removed meanwhile: done)
    }
  }

  /** Moves the checkpoint over the lines of an acknowledged batch. */
  void acknowledged(LineBatch b) {
    if (records != null) {
      long seq = recordCheckpoint.acknowledged(b, acked);
      if (seq < 0) return;
      ackedSeq = seq;
      checkpointMoved();
      return;
    }
    if (b.count() == 0 || acked == null) return;
    for (int i = 0; i < b.count(); i++) {
      acked.pass(b.streamCode(i), b.timeNanos(i), b.data(), b.lineOffset(i), b.lineLength(i));
    }
    ackedSeq = b.lastSeq();
    checkpointMoved();
  }

  private void checkpointMoved() {
    for (byte s = 1; s <= 2; s++) {
      if (droppedPieces[s] <= acked.mark(s).timeNanos()) droppedPieces[s] = Long.MAX_VALUE; // read again since
    }
    if (!saveScheduled) {
      saveScheduled = true;
      ctx.vertx().setTimer(1_000, x -> {
        saveScheduled = false;
        save(false);
      });
    }
  }

  /** Saves the checkpoint ({@code force}: to the disk itself); the log holds what comes after it. */
  Future<Void> save(boolean force) {
    if (acked == null) return Future.succeededFuture();
    long since = LogResume.since(acked, knownAfterCheckpoint(), reading.newestSeen(), toleranceNanos, tty);
    Checkpoint cp = new Checkpoint(ackedSeq, since, acked.copy());
    Path file = checkpointFile();
    return ctx.spool().run(() -> {
      cp.save(file, force);
      return null;
    }).<Void>mapEmpty().onFailure(e -> LOG.warning("saving the checkpoint of " + host.name() + " failed: " + e));
  }

  /** The container is gone: nothing to resume, the checkpoint is deleted. */
  Future<Void> forget() {
    acked = null;
    Path file = checkpointFile();
    return ctx.spool().run(() -> {
      java.nio.file.Files.deleteIfExists(file);
      return null;
    });
  }

  /**
   * Per stream, the earliest time of a line after the checkpoint the reader knows of: read and not acknowledged,
   * in pieces, or left in pieces by a closed stream (Long.MAX_VALUE: none). A resume must read them again.
   */
  private long[] knownAfterCheckpoint() {
    long[] next = droppedPieces.clone();
    host.earliestHeld(next);
    for (byte s = 1; s <= 2 && decoder != null; s++) next[s] = Math.min(next[s], decoder.heldTimeNanos(s));
    if (records != null) records.earliestOpen(next);
    return next;
  }
}
