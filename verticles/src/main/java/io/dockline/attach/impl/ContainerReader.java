package io.dockline.attach.impl;

import io.dockline.attach.MultilineRule;
import io.dockline.attach.MultilineSettings;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import io.dockline.wire.Losses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Reads one container on the event loop and ships its lines, in order, in batches: the coordinator of its
 * parts, each of which owns its state.
 *
 * <ul>
 *   <li>a {@link LineSource}, once inspect told which: the {@link AttachSource} (attach has no history) or,
 *       when the log driver keeps the output, the {@link LogsSource} (from a checkpoint), both reading through
 *       one {@link DockerStream} into the pending lines;</li>
 *   <li>{@link SeqNumbering}: lines get their sequence numbers when they are put into a batch, continuing
 *       from what was numbered before, so a restarted agent neither reuses nor skips numbers;</li>
 *   <li>{@link DeliveryWindow}: several batches in flight, cumulative acknowledgements, and after any failure
 *       every unacknowledged batch sent again, in order (the collector drops what it already holds);</li>
 *   <li>{@link ContainerSpool}: lines no collector takes fast enough go to the disk spool, and out of it first.</li>
 * </ul>
 *
 * <p>The reader decides what goes where: spooled lines before pending ones, group commit, back-pressure, and
 * what is written to the spool on stop.
 */
public final class ContainerReader {
  private static final Logger LOG = Logger.getLogger(ContainerReader.class.getName());
  private static final int MAX_BATCH_LINES = 16384;
  private static final int MAX_BATCH_BYTES = 2 << 20;
  /** While a batch is in flight, the next one waits until it is this large (a quarter of the maximum). */
  private static final int FULL_BATCH_LINES = MAX_BATCH_LINES / 4;
  private static final int FULL_BATCH_BYTES = MAX_BATCH_BYTES / 4;

  /** How the container is read: not known until inspect answers (the attach stream is opened meanwhile). */
  private enum Mode { UNKNOWN, ATTACH, LOGS }

  private final AgentMetrics metrics;
  private final ReaderContext ctx;
  private final long bufferCap;
  private final String id;
  private ContainerMeta meta;
  private Mode mode = Mode.UNKNOWN;
  /** How lines are grouped into records: the container's label or the node's setting, fixed once described. */
  private MultilineRule multiline = MultilineRule.NONE;
  private boolean metaChanged;
  private final LineBatchBuilder pending = new LineBatchBuilder();
  private final LineLevels levels = new LineLevels();
  private final SeqNumbering numbering;
  private final DeliveryWindow window;
  private final ContainerSpool containerSpool;
  private final DockerStream stream;
  private final AttachSource attach;
  private final LogsSource logs;
  private boolean stopping;
  private boolean spilledOnStop;
  private Promise<Void> drained;
  private Runnable idleHook;

  public ContainerReader(Vertx vertx, HttpClient http, SocketAddress docker, AgentMetrics metrics, Spool spool,
                         LossLedger ledger, String containerId, String host, int maxLineBytes, long bufferCap,
                      MultilineSettings multilineSettings) {
    this.meta = new ContainerMeta(containerId, containerId.substring(0, Math.min(12, containerId.length())), "", host,
        null);
    this.id = containerId;
    this.metrics = metrics;
    this.bufferCap = bufferCap;
    this.ctx = new ReaderContext(vertx, metrics, spool, containerId, maxLineBytes, this::name, new Retries(), ledger,
        multilineSettings);
    this.numbering = new SeqNumbering(ctx, this::pump);
    this.window = new DeliveryWindow(ctx, new DeliveryWindow.Listener() {
      @Override
      public void acknowledged(LineBatch batch) {
        if (mode == Mode.LOGS) logs.acknowledged(batch);
      }

      @Override
      public void replied() {
        pump();
        applyBackPressure();
        checkDrained();
      }

      @Override
      public void resent() {
        pump();
      }

      @Override
      public long lastNumbered() {
        return numbering.next() - 1;
      }
    });
    this.containerSpool = new ContainerSpool(ctx);
    this.stream = new DockerStream(ctx, http, docker, new DockerStream.Listener() {
      @Override
      public void ended(boolean failed) {
        onStreamEnd(failed);
      }

      @Override
      public void discarded() {
        checkDrained();
      }
    });
    LineSource.Host sources = new SourceHost();
    this.attach = new AttachSource(sources);
    this.logs = new LogsSource(sources);
    openSpoolLeftFromEarlierRun();
  }

  /** What the sources tell this reader. */
  private final class SourceHost implements LineSource.Host {
    @Override
    public ReaderContext context() {
      return ctx;
    }

    @Override
    public DockerStream stream() {
      return stream;
    }

    @Override
    public String name() {
      return meta.name();
    }

    @Override
    public boolean stopping() {
      return stopping;
    }

    @Override
    public void pump() {
      ContainerReader.this.pump();
    }

    @Override
    public void read() {
      ContainerReader.this.pump();
      applyBackPressure();
    }

    @Override
    public void checkDone() {
      checkDrained();
    }

    @Override
    public void add(long timeNanos, byte s, byte flags, byte[] buf, int off, int len) {
      pending.add(timeNanos, s, levels.of(s, flags, buf, off, len).into(flags), buf, off, len);
      stream.lineDecoded();
    }

    @Override
    public MultilineRule multiline() {
      return multiline;
    }

    @Override
    public boolean readsLogs() {
      return mode == Mode.LOGS;
    }

    @Override
    public void attachAttempted() {
      // inspect said "logs mode" while an attach was still being opened: the logs stream opens now
      if (mode == Mode.LOGS && !stopping && !stream.isBusy()) logs.open();
    }

    @Override
    public void numberFrom(long first) {
      numbering.startFromLog(first);
    }

    @Override
    public void earliestHeld(long[] times) {
      for (LineBatch b : window.unacknowledged()) {
        for (int i = 0; i < b.count(); i++) times[b.streamCode(i)] = Math.min(times[b.streamCode(i)], b.timeNanos(i));
      }
      for (int i = 0; i < pending.count(); i++) {
        times[pending.streamCode(i)] = Math.min(times[pending.streamCode(i)], pending.timeNanos(i));
      }
    }
  }

  private String name() {
    return meta.name();
  }

  /**
   * Batches an earlier run spooled go out first. Numbering continues above both the spool and the seq mark
   * (the exact last seq after a clean stop, a reservation after a crash). Without either, the collectors are
   * asked what they hold.
   */
  private void openSpoolLeftFromEarlierRun() {
    Future<Long> mark = numbering.loadMark();
    Future<ContainerSpool.Leftover> left = containerSpool.open();
    Future.join(mark, left).onComplete(ar -> {
      if (ar.failed()) LOG.warning("reading the spool of " + id + " failed: " + ar.cause());
      long marked = mark.succeeded() ? mark.result() : 0;
      ContainerSpool.Leftover spooled = left.succeeded() ? left.result() : new ContainerSpool.Leftover(0, 0);
      if (spooled.batches() > 0 || marked > 0) {
        numbering.continueAbove(Math.max(spooled.lastSeq(), marked));
        attach.readByEarlierRun();
        if (spooled.batches() > 0) {
          LOG.info("container " + id + ": " + spooled.batches() + " spooled batches to send first");
        }
      } else {
        numbering.askCollectors();
      }
      pump();
      checkDrained();
    });
  }

  /**
   * This agent saw the container being created, so nobody read it before: numbering starts at 1 without
   * asking the collectors, and its lines can be spooled even when no collector is up.
   */
  public void markFresh() {
    numbering.startFresh();
  }

  public ContainerMeta meta() { return meta; }

  public void rename(String name) {
    if (name.equals(meta.name())) return;
    meta = meta.withName(name);
    metaChanged = true;
    pump();
  }

  /** True once inspect told the container's tags and whether it has a TTY. */
  public boolean isDescribed() {
    return mode != Mode.UNKNOWN;
  }

  /**
   * What inspect says of the container. The attach stream may already be open: it is opened before the
   * (slower) inspect answers, so that it is in place as early as possible; what it brought meanwhile is
   * decoded now, with the times it arrived.
   */
  public void describe(ContainerMeta described, boolean hasTty) {
    describe(described, hasTty, false);
  }

  /**
   * As {@link #describe(ContainerMeta, boolean)}; {@code readLogs}: the log driver keeps the output, so it is
   * read through the logs endpoint from the checkpoint instead (the early attach stream is dropped: the logs
   * hold everything it brought).
   */
  public void describe(ContainerMeta described, boolean hasTty, boolean readLogs) {
    if (!described.equals(meta)) metaChanged = true;
    meta = described;
    if (mode == Mode.UNKNOWN) {
      multiline = ctx.multiline().ruleFor(described.labels(), problem -> LOG.warning("container " + name() + ": " + problem));
    }
    if (mode == Mode.UNKNOWN && readLogs) {
      mode = Mode.LOGS;
      attach.drop();
      attach.releaseWaiters(null);
      logs.start(hasTty);
    } else if (mode == Mode.UNKNOWN) {
      mode = Mode.ATTACH;
      attach.describe(hasTty);
    }
    pump();
  }

  /** See {@link AttachSource#checkStartedAt}. */
  public void checkStartedAt(String startedAt, long watchingSinceNanos) {
    attach.checkStartedAt(startedAt, watchingSinceNanos);
  }

  /** True while a stream (attach or logs) is open or being opened. */
  public boolean isAttached() {
    return stream.isBusy();
  }

  private LineSource source() {
    return mode == Mode.LOGS ? logs : attach;
  }

  /** Opens the attach stream (lines written from now on are read), or in logs mode the logs stream. */
  public Future<Void> attach() {
    return source().open();
  }

  /** The number of attach streams opened so far (see {@link #whenAttachOpenAfter}). */
  public int attachGeneration() {
    return attach.generation();
  }

  /**
   * Completes once an attach stream newer than {@code generation} is open, or at once when none is needed
   * (logs mode, stopping, removed); fails when opening one failed. The start gate lets a start through then.
   */
  public Future<Void> whenAttachOpenAfter(int generation) {
    return attach.whenOpenAfter(generation);
  }

  /** A restart policy restarts the container by itself: attach again as soon as a run's stream ends. */
  public void reattachOnExit(boolean on) {
    attach.reattachOnExit(on);
  }

  /** The start gate is about to stop the container for a restart: attach again when its stream ends. */
  public void expectRestart() {
    attach.expectRestart();
  }

  /** The container was removed: a stream still open on it (it exited, attached for a restart) is closed. */
  public void removed() {
    attach.removed();
    if (mode != Mode.LOGS) stream.end();
    attach.releaseWaiters(null);
  }

  /** Sets how far back in time a log line may be stamped behind one Docker wrote before it (logs mode). */
  public void setLogsReorderTolerance(long millis) {
    logs.setReorderTolerance(millis);
  }

  private void onStreamEnd(boolean failed) {
    source().ended(failed, stopping);
    stream.countLines();
    if (failed) LOG.fine(() -> "attach stream of " + meta.name() + " broke");
    pump();
    checkDrained();
  }

  /** Stops reading; the future completes when every line read so far is acknowledged (or on timeout). */
  public Future<Void> stop() {
    stopping = true;
    attach.releaseWaiters(null);
    // output that came before inspect answered is decoded as the common non-TTY case rather than dropped
    if (mode == Mode.UNKNOWN && attach.hasEarlyOutput()) describe(meta, false);
    stream.end();
    if (drained == null) drained = Promise.promise();
    checkDrained();
    return drained.future();
  }

  public boolean isIdle() {
    return nothingLeftToSend() && !stream.isBusy();
  }

  private boolean nothingLeftToSend() {
    return containerSpool.isChecked() && pending.isEmpty() && window.isEmpty() && !containerSpool.holdsBatches();
  }

  /** Runs {@code hook} once this reader has nothing left to read or send (the container was removed). */
  public void whenIdle(Runnable hook) {
    idleHook = hook;
    checkDrained();
  }

  private void checkDrained() {
    if (drained != null && nothingLeftToSend()) drained.tryComplete();
    if (idleHook != null && isIdle()) {
      Runnable h = idleHook;
      idleHook = null;
      h.run();
    }
  }

  private void pump() {
    // while a resend waits for its backoff nothing new goes out: it would arrive ahead of older lines
    if (!numbering.isKnown() || mode == Mode.UNKNOWN || !containerSpool.isChecked() || !logs.ready()
        || spilledOnStop) {
      return;
    }
    if (!window.resendPending()) sendFromSpoolOrPending();
    spillIfBacklogged();
  }

  private void sendFromSpoolOrPending() {
    if (containerSpool.holdsBatches()) {
      // spooled lines are older than anything pending: they go first, one read at a time
      if (!containerSpool.isLoading() && window.hasRoom()) loadFromSpool();
      return;
    }
    while (containerSpool.hasUnwritten() && window.hasRoom()) window.send(containerSpool.pollUnwritten());
    if (containerSpool.hasUnwritten()) return;
    // a container that has said nothing yet (or was renamed) is announced with an empty batch, so the
    // collectors know it and its tags before its first line
    while (window.hasRoom() && (!pending.isEmpty() || metaChanged) && worthSending()
        && numbering.mayNumber(Math.min(pending.count(), MAX_BATCH_LINES))) {
      metaChanged = false;
      window.send(takeBatch());
    }
  }

  /**
   * Group commit: with nothing in flight, whatever is pending goes at once (a quiet container's line is not
   * held back); while a batch is on its way, more go only once they are worth a batch of their own. A fast
   * writer's lines thus travel in a few large batches (one event-bus message, one write and one fsync each)
   * instead of one small batch per read.
   */
  private boolean worthSending() {
    return window.nothingInFlight() || metaChanged || fullBatchPending();
  }

  private boolean fullBatchPending() {
    return pending.count() >= FULL_BATCH_LINES || pending.dataLength() >= FULL_BATCH_BYTES;
  }

  private void loadFromSpool() {
    containerSpool.load(b -> {
      // stopping: it is written back to the spool with the rest, not sent
      if (spilledOnStop) window.hold(b); else window.send(b);
    }).onComplete(ar -> {
      pump();
      checkDrained();
    });
  }

  /**
   * Lines no collector takes fast enough (or at all) are numbered and written to the disk spool instead of
   * piling up in memory, while the spool has room. At the spool's cap, {@code drop-newest} discards them
   * (counted); {@code block} leaves them in memory, where back-pressure pauses the reading.
   */
  private void spillIfBacklogged() {
    // the logs endpoint keeps what is not read yet, and a slow reader there never slows the container
    if (mode == Mode.LOGS) return;
    // memory first (a burst the collectors absorb a moment later costs no disk), the spool past half the budget
    boolean backlogged = window.bytes() + pending.dataLength() >= bufferCap / 2;
    if (!containerSpool.hasRoom()) {
      if (backlogged && containerSpool.policy() == Spool.Policy.DROP_NEWEST) {
        int n = pending.count();
        pending.take(meta, numbering.next(), Integer.MAX_VALUE, Integer.MAX_VALUE); // discarded, numbered by nothing
        metrics.pendingLines.addAndGet(-n);
        metrics.linesDropped.increment(n);
        ctx.lost(Losses.Reason.SPOOL_FULL, n);
      }
      return;
    }
    // batches a failed spool write left in memory go out first; newer ones wait behind them
    if (containerSpool.hasUnwritten()) return;
    // once lines wait in the spool, newer ones go after them anyway: each full batch follows at once, so the
    // spool writes steadily and a backlog does not sit on the heap; at the stream's end, the rest follows
    boolean behindSpooledLines = containerSpool.holdsBatches() && (fullBatchPending() || !stream.isBusy());
    if (!backlogged && !behindSpooledLines) return;
    if (!numbering.mayNumber(pending.count())) return;
    List<LineBatch> batches = new ArrayList<>();
    while (!pending.isEmpty()) batches.add(takeBatch());
    // until written, the batches are on the heap: a spool that falls behind pauses the reading
    containerSpool.write(batches).onComplete(ar -> {
      applyBackPressure();
      if (ar.succeeded() && !ar.result()) pump(); // what was not written goes out from memory
    });
  }

  /** Closes (and deletes, when empty) the spool file of a reader that is done, and drops its checkpoint. */
  public Future<Void> closeSpool() {
    Future<Void> checkpoint = logs.forget();
    return containerSpool.close().compose(v -> checkpoint).compose(v -> numbering.forget());
  }

  /**
   * On stop, once the drain time is up: what is still unacknowledged, spooled and pending is written to the
   * spool, in seq order, and forced to disk, so the next run sends it. Lines that could not be numbered
   * (no collector ever answered for a container this agent did not see created) are lost and counted.
   */
  public Future<Void> spillOnStop() {
    spilledOnStop = true;
    if (mode == Mode.LOGS) return logs.save(true); // the log holds what comes after it
    // a spool read in flight has already taken its batch out of the file: it joins `unacked` first
    return containerSpool.whenLoaded().compose(v -> spillAll());
  }

  private Future<Void> spillAll() {
    List<LineBatch> sent = new ArrayList<>();
    for (LineBatch b : window.unacknowledged()) if (b.count() > 0) sent.add(b);
    List<LineBatch> newer = new ArrayList<>();
    if (numbering.isKnown()) {
      while (!pending.isEmpty()) newer.add(takeBatch());
    } else if (!pending.isEmpty()) {
      LOG.warning("container " + meta.name() + ": " + pending.count() + " lines lost on stop (never numbered)");
      metrics.linesDropped.increment(pending.count());
      ctx.lost(Losses.Reason.UNNUMBERED_AT_STOP, pending.count());
      pending.take(meta, 0, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }
    return numbering.saveLast().compose(v -> containerSpool.rewriteAndClose(sent, newer));
  }

  /** The oldest pending lines, numbered, as one batch. */
  private LineBatch takeBatch() {
    LineBatch batch = pending.take(meta, numbering.next(), MAX_BATCH_LINES, MAX_BATCH_BYTES);
    numbering.advance(batch.count());
    metrics.pendingLines.addAndGet(-batch.count());
    return batch;
  }

  private void applyBackPressure() {
    // the 'block' policy: stop reading this container until the collectors catch up (spooled lines are not held)
    stream.holdBack(window.bytes() + containerSpool.heldBytes() + pending.dataLength(), bufferCap);
  }
}
