package io.dockline.attach.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * A container's attach stream: what it writes from the moment the stream is open (attach has no history),
 * stamped with the time it was read, made strictly increasing.
 *
 * <p>The stream is opened before inspect says whether the container has a TTY, so that it is in place as
 * early as possible; what it brings meanwhile waits, with the times it arrived, until {@link #describe}.
 * The start gate waits for a stream newer than the one it saw ({@link #whenOpenAfter}); a container that
 * restarts (its restart policy, or the gate) is attached again as soon as its stream ends.
 */
final class AttachSource extends LineSource implements LineSink {
  private static final Logger LOG = Logger.getLogger(AttachSource.class.getName());
  private static final int REATTACH_TRIES = 400;

  /** False until inspect told whether the container has a TTY (how to decode the stream). */
  private boolean described;
  private boolean tty;
  private StreamDecoder decoder;
  /** Groups lines into records (null: the container's lines are not grouped). */
  private RecordStage records;
  private final List<Buffer> early = new ArrayList<>();
  private final List<Long> earlyTimes = new ArrayList<>();
  private long readTimeNanos;
  private long lastTimeNanos;
  private final LateAttach lateAttach;
  /** Attach streams opened so far; the start gate waits for the next one. */
  private int generation;
  private final List<Waiter> waiters = new ArrayList<>();
  private record Waiter(int afterGeneration, Promise<Void> opened) {}
  /** The container restarts by itself (a restart policy): its exit is followed by a new attach at once. */
  private boolean reattachOnExit;
  /** The start gate stopped the container for a restart: the next attach opens as soon as the stream ends. */
  private boolean restartExpected;
  /** The container was removed: an attach stream left open on it is closed and never opened again. */
  private boolean removed;

  AttachSource(Host host) {
    super(host);
    this.lateAttach = new LateAttach(host.context());
  }

  /** The stream is not wanted: stopping, or the container turned out to be read from its logs. */
  private boolean unwanted() {
    return host.stopping() || host.readsLogs();
  }

  /** Opens the attach stream (unless one is open or being opened); lines written from now on are read. */
  @Override
  Future<Void> open() {
    if (stream.isBusy() || unwanted()) return Future.succeededFuture();
    decoder = null; // a new stream starts with no frame or line pending
    return stream.open(HttpMethod.POST, "/containers/" + ctx.containerId() + "/attach?stream=1&stdout=1&stderr=1", "attach to",
        this::unwanted, this::onData).onSuccess(v -> {
          if (!stream.isOpen()) return;
          generation++;
          lateAttach.opened();
          releaseWaiters(null);
        }).onFailure(this::releaseWaiters).onComplete(ar -> host.attachAttempted());
  }

  /** Inspect told whether the container has a TTY: what the stream brought meanwhile is decoded now. */
  void describe(boolean hasTty) {
    if (described) return;
    described = true;
    tty = hasTty;
    if (host.multiline().groups()) {
      records = new RecordStage(ctx, host.multiline(), (s, flags, t, b, off, len, boundary, tag) -> add(t, s, flags, b, off, len),
          host::read);
    }
    lateAttach.readByAttach();
    if (early.isEmpty()) return;
    decoder = new StreamDecoder(hasTty, ctx.maxLineBytes(), this);
    for (int i = 0; i < early.size(); i++) decode(early.get(i), earlyTimes.get(i));
    early.clear();
    earlyTimes.clear();
    if (!stream.isBusy()) {
      decoder.finish(); // the stream already ended before inspect answered
      stream.countLines();
    }
  }

  /** Whether output came that waits for {@link #describe}. */
  boolean hasEarlyOutput() {
    return !early.isEmpty();
  }

  /** The container is read from its logs: the stream is not needed (the logs hold everything it brought). */
  void drop() {
    early.clear();
    earlyTimes.clear();
    stream.drop();
  }

  private void onData(Buffer buf) {
    if (decoder == null) {
      if (!described) {
        early.add(buf.copy()); // until inspect says how to decode it
        earlyTimes.add(LateAttach.nowNanos());
        return;
      }
      decoder = new StreamDecoder(tty, ctx.maxLineBytes(), this);
    }
    decode(buf, LateAttach.nowNanos());
    host.read();
  }

  private void decode(Buffer buf, long arrivedNanos) {
    readTimeNanos = arrivedNanos;
    stream.decode(buf, decoder::feed);
  }

  @Override
  public void line(byte s, byte flags, byte[] buf, int off, int len) {
    if (records != null) {
      records.feed(s, flags, readTimeNanos, buf, off, len, null);
    } else {
      add(readTimeNanos, s, flags, buf, off, len);
    }
  }

  /** A line or record read at {@code readNanos} (a record: its first line's). */
  private void add(long readNanos, byte s, byte flags, byte[] buf, int off, int len) {
    // attach carries no timestamps: the read time, made strictly increasing per container
    long t = Math.max(readNanos, lastTimeNanos + 1);
    lastTimeNanos = t;
    host.add(t, s, flags, buf, off, len);
  }

  /**
   * The stream ended: its last line is whole (stopping: a line cut short is kept as it is). A container that
   * restarts is attached again at once.
   */
  @Override
  void ended(boolean failed, boolean stopping) {
    if (decoder == null) {
      // not yet described: what came waits in `early` until inspect says how to decode it
    } else if (stopping) {
      decoder.flushPartial();
    } else {
      decoder.finish();
    }
    if (records != null) records.finish(); // a record is never continued by the next run's output
    if (!stopping && !removed && (reattachOnExit || restartExpected)) {
      restartExpected = false;
      ctx.vertx().runOnContext(v -> reattach(REATTACH_TRIES));
    }
  }

  /**
   * Attaches to the container that just exited, before it starts again. While Docker's restart policy
   * counts its delay the container is "restarting" and refuses attaches (409): tried again every 5 ms for
   * 2 s (its first delays are 100 and 200 ms; the start event attaches after longer ones).
   */
  private void reattach(int triesLeft) {
    if (unwanted() || removed || stream.isBusy()) return;
    open().onFailure(e -> {
      if (triesLeft > 1 && e.getMessage() != null && e.getMessage().contains("refused: 409 ")) {
        ctx.vertx().setTimer(5, t -> reattach(triesLeft - 1));
      } else {
        LOG.fine(() -> "attaching again to " + host.name() + " failed: " + e.getMessage());
      }
    });
  }

  int generation() {
    return generation;
  }

  /**
   * Completes once an attach stream newer than {@code generation} is open, or at once when none is needed
   * (logs mode, stopping, removed); fails when opening one failed.
   */
  Future<Void> whenOpenAfter(int afterGeneration) {
    if (unwanted() || removed || (stream.isOpen() && generation > afterGeneration)) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    waiters.add(new Waiter(afterGeneration, p));
    return p.future();
  }

  /** Completes the waiters an opened stream satisfies (all of them on {@code failure}, or when none is needed). */
  void releaseWaiters(Throwable failure) {
    boolean noneNeeded = unwanted() || removed;
    waiters.removeIf(w -> {
      if (failure != null) {
        w.opened().tryFail(failure);
        return true;
      }
      if (!noneNeeded && !(stream.isOpen() && generation > w.afterGeneration())) return false;
      w.opened().tryComplete();
      return true;
    });
  }

  void reattachOnExit(boolean on) {
    reattachOnExit = on;
  }

  /** The start gate is about to stop the container for a restart: attach again when its stream ends. */
  void expectRestart() {
    restartExpected = true;
    if (!stream.isBusy()) open().onFailure(e -> LOG.fine(e::getMessage));
  }

  /** The container was removed: it is not attached again (the reader closes a stream still open on it). */
  void removed() {
    removed = true;
    restartExpected = false;
  }

  /** See {@link LateAttach#started}. */
  void checkStartedAt(String startedAt, long watchingSinceNanos) {
    lateAttach.started(startedAt, watchingSinceNanos);
  }

  /** See {@link LateAttach#readByEarlierRun}. */
  void readByEarlierRun() {
    lateAttach.readByEarlierRun();
  }
}
