package io.dockline.attach.impl;

import io.dockline.wire.Addresses;
import io.dockline.wire.BatchAck;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads one container's attach stream on the event loop and ships its lines, in order, in batches.
 *
 * <p>Lines get their sequence numbers when they are put into a batch, continuing from what the collector
 * already stores, so a restarted agent neither reuses nor skips numbers. Several batches are in flight at
 * once; an acknowledgement is cumulative (everything up to {@code storedSeq} is durable). After any failure
 * every unacknowledged batch is sent again, in order: the collector drops what it already holds.
 */
public final class ContainerReader implements LineSink {
  private static final Logger LOG = Logger.getLogger(ContainerReader.class.getName());
  private static final int MAX_BATCH_LINES = 16384;
  private static final int MAX_BATCH_BYTES = 2 << 20;
  /** While a batch is in flight, the next one waits until it is this large (a quarter of the maximum). */
  private static final int FULL_BATCH_LINES = MAX_BATCH_LINES / 4;
  private static final int FULL_BATCH_BYTES = MAX_BATCH_BYTES / 4;

  private final Vertx vertx;
  private final HttpClient http;
  private final SocketAddress docker;
  private final AgentMetrics metrics;
  private final int maxLineBytes;
  private final long bufferCap;
  private final Spool spool;
  private final ContainerSpool containerSpool;

  private final String id;
  private ContainerMeta meta;
  private Boolean tty; // unknown until inspect answers
  private final java.util.List<Buffer> early = new java.util.ArrayList<>();
  private final java.util.List<Long> earlyTimes = new java.util.ArrayList<>();
  private final LineBatchBuilder pending = new LineBatchBuilder();
  private final Retries retries = new Retries();
  private final SeqNumbering numbering;
  private final DeliveryWindow window;
  /** Logs mode: the container started again while the previous run's stream was still being read. */
  private boolean reopenAfterEnd;
  private boolean spilledOnStop;
  /**
   * Logs mode (the container's log driver keeps its output): read through the logs endpoint with Docker's
   * timestamps, from a checkpoint. Null until inspect told; attach mode otherwise.
   */
  private Boolean logsMode;
  private LogsDecoder logsDecoder;
  /** False until the checkpoint of a logs-mode container was loaded: numbering starts from it. */
  private boolean checkpointLoaded = true;
  /**
   * Logs mode: per stream, the last acknowledged line, with the seq of the last one; saved to disk at most once a
   * second and on stop. Null while a first-format checkpoint's line is looked for.
   */
  private LogPosition acked;
  private long ackedSeq;
  private boolean checkpointSaveScheduled;
  /** Logs mode: the checkpoint loaded, and what the stream being read passed (a reopened stream continues after it). */
  private Checkpoint loadedCheckpoint;
  private LogResume reading;
  private boolean logsOpened;
  /** New lines the logs stream being read brought (not those read again after a resume). */
  private long logsStreamNewLines;
  /** Per stream, the time of a line whose pieces a closed stream left unread (Long.MAX_VALUE: none). */
  private final long[] droppedPieces = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
  private long logsToleranceNanos = 2_000_000_000L; // NodeConfig's logs-reorder-tolerance sets it
  private int outOfOrderLogged;

  private boolean metaChanged;
  private long readTimeNanos;
  private int linesDecoded;
  private long attachOpenedNanos;
  private long knownStartNanos;
  private long countedStartNanos;
  private long lastTimeNanos;

  private StreamDecoder decoder;
  private HttpClientResponse response;
  private boolean streamOpen;
  private boolean connecting;
  private boolean paused;
  private boolean stopping;
  private Promise<Void> drained;
  private Runnable idleHook;
  /** Attach streams opened so far; the start gate waits for the next one. */
  private int attachGeneration;
  private final java.util.List<AttachWaiter> attachWaiters = new java.util.ArrayList<>();
  private record AttachWaiter(int afterGeneration, Promise<Void> opened) {}
  /** The container restarts by itself (a restart policy): its exit is followed by a new attach at once. */
  private boolean reattachOnExit;
  /** The start gate stopped the container for a restart: the next attach opens as soon as the stream ends. */
  private boolean restartExpected;
  /** The container was removed: an attach stream left open on it is closed and never opened again. */
  private boolean removed;

  public ContainerReader(Vertx vertx, HttpClient http, SocketAddress docker, AgentMetrics metrics, Spool spool,
                         String containerId, String host, int maxLineBytes, long bufferCap) {
    this.vertx = vertx;
    this.http = http;
    this.docker = docker;
    this.metrics = metrics;
    this.id = containerId;
    this.meta = new ContainerMeta(containerId, containerId.substring(0, Math.min(12, containerId.length())), "", host,
        null);
    this.maxLineBytes = maxLineBytes;
    this.bufferCap = bufferCap;
    this.spool = spool;
    this.containerSpool = new ContainerSpool(spool, containerId, () -> meta.name());
    this.numbering = new SeqNumbering(vertx, spool, containerId, () -> meta.name(), retries, this::pump);
    this.window = new DeliveryWindow(vertx, metrics, retries, numbering, () -> meta.name(),
        new DeliveryWindow.Listener() {
          @Override
          public void acknowledged(LineBatch batch) {
            advanceCheckpoint(batch);
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
        });
    openSpoolLeftFromEarlierRun();
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
    return tty != null;
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
    if (tty == null && readLogs) {
      logsMode = true;
      tty = hasTty;
      dropAttachStream();
      releaseAttachWaiters(null);
      loadCheckpointThenRead();
      pump();
      return;
    }
    if (logsMode == null) logsMode = false;
    if (tty == null) {
      tty = hasTty;
      if (!early.isEmpty()) {
        decoder = new StreamDecoder(hasTty, maxLineBytes, this);
        for (int i = 0; i < early.size(); i++) decode(early.get(i), earlyTimes.get(i));
        early.clear();
        earlyTimes.clear();
        if (!isAttached()) {
          decoder.finish(); // the stream already ended before inspect answered
          countLines();
        }
      }
    }
    pump();
  }

  /**
   * Attach has no history: if the container (re)started before this reader's stream was open, what it wrote
   * in between is lost (log driver none) and counted. {@code docker run -d} races the attach this way;
   * {@code docker create} then {@code docker start} does not.
   */
  public void checkStartedAt(String startedAt, long watchingSinceNanos) {
    if (startedAt == null || startedAt.startsWith("0001-")) return;
    try {
      Instant t = Instant.parse(startedAt);
      long started = t.getEpochSecond() * 1_000_000_000L + t.getNano();
      // a start before the agent watched is not a race: such containers are read from the attach on
      if (started > watchingSinceNanos && started > knownStartNanos) knownStartNanos = started;
    } catch (RuntimeException e) {
      return;
    }
    countLateAttach();
  }

  private void countLateAttach() {
    if (knownStartNanos == 0 || attachOpenedNanos == 0 || knownStartNanos == countedStartNanos) return;
    if (knownStartNanos < attachOpenedNanos) {
      countedStartNanos = knownStartNanos;
      metrics.lateAttaches.increment();
      LOG.fine(() -> "attached to " + meta.name() + " after it started: its first output may be missing");
    }
  }

  /** True while an attach stream is open or being opened. */
  public boolean isAttached() {
    return streamOpen || connecting;
  }

  /** Opens the attach stream; lines written from now on are read (attach has no history). */
  public Future<Void> attach() {
    if (Boolean.TRUE.equals(logsMode)) return followLogs();
    if (isAttached() || stopping) return Future.succeededFuture();
    decoder = null; // a new stream starts with no frame or line pending
    // stop() may run while the attach is being opened, or the container turn out to be read from its logs
    return openStream(HttpMethod.POST, "/containers/" + id + "/attach?stream=1&stdout=1&stderr=1", "attach to",
        () -> stopping || Boolean.TRUE.equals(logsMode), this::onData).onSuccess(v -> {
          if (!streamOpen) return;
          Instant opened = Instant.now();
          attachOpenedNanos = opened.getEpochSecond() * 1_000_000_000L + opened.getNano();
          attachGeneration++;
          countLateAttach();
          releaseAttachWaiters(null);
        }).onFailure(this::releaseAttachWaiters).onComplete(ar -> {
          // inspect said "logs mode" while this attach was still being opened: the logs stream opens now
          if (Boolean.TRUE.equals(logsMode) && !stopping && !isAttached()) followLogs();
        });
  }

  /** The number of attach streams opened so far (see {@link #whenAttachOpenAfter}). */
  public int attachGeneration() {
    return attachGeneration;
  }

  /**
   * Completes once an attach stream newer than {@code generation} is open, or at once when none is needed
   * (logs mode, stopping, removed); fails when opening one failed. The start gate lets a start through then.
   */
  public Future<Void> whenAttachOpenAfter(int generation) {
    if (Boolean.TRUE.equals(logsMode) || stopping || removed || (streamOpen && attachGeneration > generation)) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    attachWaiters.add(new AttachWaiter(generation, p));
    return p.future();
  }

  /** Completes the waiters an opened stream satisfies (all of them on {@code failure}, or when none is needed). */
  private void releaseAttachWaiters(Throwable failure) {
    boolean noneNeeded = Boolean.TRUE.equals(logsMode) || stopping || removed;
    attachWaiters.removeIf(w -> {
      if (failure != null) {
        w.opened().tryFail(failure);
        return true;
      }
      if (!noneNeeded && !(streamOpen && attachGeneration > w.afterGeneration())) return false;
      w.opened().tryComplete();
      return true;
    });
  }

  /** A restart policy restarts the container by itself: attach again as soon as a run's stream ends. */
  public void reattachOnExit(boolean on) {
    reattachOnExit = on;
  }

  /** The start gate is about to stop the container for a restart: attach again when its stream ends. */
  public void expectRestart() {
    restartExpected = true;
    if (!isAttached() && !Boolean.TRUE.equals(logsMode)) attach().onFailure(e -> LOG.fine(e::getMessage));
  }

  /** The container was removed: a stream still open on it (it exited, attached for a restart) is closed. */
  public void removed() {
    removed = true;
    restartExpected = false;
    if (streamOpen && !Boolean.TRUE.equals(logsMode)) {
      HttpClientResponse r = response;
      onStreamEnd(false);
      r.request().connection().close();
    }
    releaseAttachWaiters(null);
  }

  /**
   * Opens a streaming request on the Docker socket; {@code onData} reads it until it ends. A stream that is
   * {@code unwanted} by the time it opens is closed at once.
   */
  private Future<Void> openStream(HttpMethod method, String uri, String what,
                                  java.util.function.BooleanSupplier unwanted,
                                  io.vertx.core.Handler<Buffer> onData) {
    connecting = true;
    RequestOptions req = new RequestOptions().setServer(docker).setMethod(method).setHost("localhost")
        .setPort(80).setURI(uri);
    return http.request(req).compose(r -> r.send()).compose(resp -> {
      connecting = false;
      if (resp.statusCode() != 200) {
        return resp.body().compose(body -> Future.failedFuture(
            what + " " + meta.name() + " refused: " + resp.statusCode() + " " + body.toString().trim()));
      }
      if (unwanted.getAsBoolean()) {
        resp.request().connection().close();
        checkDrained();
        return Future.<Void>succeededFuture();
      }
      response = resp;
      streamOpen = true;
      metrics.streamsOpen.incrementAndGet();
      resp.handler(onData);
      resp.endHandler(v -> onStreamEnd(false));
      resp.exceptionHandler(e -> onStreamEnd(true));
      return Future.<Void>succeededFuture();
    }).onFailure(e -> connecting = false);
  }

  /** The attach stream opened before inspect answered is not needed in logs mode. */
  private void dropAttachStream() {
    early.clear();
    earlyTimes.clear();
    if (!streamOpen) return;
    HttpClientResponse r = response;
    streamOpen = false;
    response = null;
    metrics.streamsOpen.decrementAndGet();
    r.request().connection().close();
  }

  private void loadCheckpointThenRead() {
    checkpointLoaded = false;
    java.nio.file.Path file = Checkpoint.fileOf(checkpointDir(), id);
    spool.run(() -> Checkpoint.load(file)).onComplete(ar -> {
      loadedCheckpoint = ar.succeeded() ? ar.result() : null;
      // numbering is a function of the log: from the checkpoint on, or from 1 at the log's beginning, so lines
      // read again get the seqs they had and the collectors drop them
      numbering.startFromLog(loadedCheckpoint == null ? 1 : loadedCheckpoint.seq + 1);
      ackedSeq = numbering.next() - 1;
      reading = resumeFromCheckpoint();
      acked = reading.resumedFrom() == null ? null : reading.resumedFrom().copy();
      checkpointLoaded = true;
      followLogs();
      pump();
    });
  }

  private java.nio.file.Path checkpointDir() {
    return spool.dir.resolveSibling("checkpoints");
  }

  /** Sets how far back in time a log line may be stamped behind one Docker wrote before it (logs mode). */
  public void setLogsReorderTolerance(long millis) {
    logsToleranceNanos = millis * 1_000_000L;
  }

  /**
   * Follows the logs endpoint from where reading stopped (the last line read, or the checkpoint); the stream
   * ends when the container stops, and is opened again when it starts.
   */
  private Future<Void> followLogs() {
    if (isAttached() && !stopping) reopenAfterEnd = true; // (re)started while the old run is still being read
    if (!checkpointLoaded || isAttached() || stopping) return Future.succeededFuture();
    reopenAfterEnd = false;
    if (logsOpened) reading = resumeAfterRead();
    logsOpened = true;
    logsStreamNewLines = 0;
    logsDecoder = new LogsDecoder(tty, maxLineBytes, new LogsDecoder.Sink() {
      @Override
      public void line(byte stream, byte flags, long timeNanos, byte[] buf, int off, int len) {
        logLine(stream, flags, timeNanos, buf, off, len);
      }

      @Override
      public void lineStarted(byte stream, long timeNanos) {
        reading.lineStarted(stream, timeNanos);
      }
    });
    return openStream(HttpMethod.GET, "/containers/" + id + "/logs?follow=1&stdout=1&stderr=1&timestamps=1&since="
        + LogResume.sinceParameter(reading.since()), "logs of", () -> stopping, this::onLogsData);
  }

  private LogResume resumeFromCheckpoint() {
    Checkpoint cp = loadedCheckpoint;
    LogResume.Listener l = logsListener();
    if (cp == null) return LogResume.fromStart(logsToleranceNanos, tty, l);
    if (cp.position == null) return LogResume.afterFirstFormat(cp.firstFormatTime, cp.firstFormatRun, logsToleranceNanos, tty, l);
    return LogResume.after(cp.position, cp.sinceNanos, Long.MIN_VALUE, logsToleranceNanos, tty, l);
  }

  /** A stream opened again continues after the last line read (a first-format checkpoint is looked for again). */
  private LogResume resumeAfterRead() {
    if (reading.resumedFrom() == null) return resumeFromCheckpoint();
    LogPosition read = reading.position();
    long since = LogResume.since(read, droppedPieces, reading.newestSeen(), logsToleranceNanos, tty);
    return LogResume.after(read, since, reading.newestSeen(), logsToleranceNanos, tty, logsListener());
  }

  /** Lines read against what resuming relies on are counted and logged (the first few per container). */
  private LogResume.Listener logsListener() {
    return new LogResume.Listener() {
      @Override
      public void outOfOrder(String what) {
        metrics.logsOutOfOrder.increment();
        LOG.log(outOfOrderLogged++ < 3 ? Level.WARNING : Level.FINE, () -> "logs of " + meta.name() + ": " + what
            + "; a resume around it could lose or repeat lines");
      }

      @Override
      public void mismatch(String what) {
        metrics.logsResumeMismatches.increment();
        LOG.warning("resuming the logs of " + meta.name() + ": " + what);
      }
    };
  }

  private void onLogsData(Buffer buf) {
    metrics.bytesRead.increment(buf.length());
    decodeRead(buf, logsDecoder::feed);
    pump();
    applyBackPressure();
  }

  /** A line of the logs endpoint; lines passed before a resume are skipped. */
  private void logLine(byte stream, byte flags, long timeNanos, byte[] buf, int off, int len) {
    if (!reading.accept(stream, timeNanos, buf, off, len)) return;
    if (acked == null) acked = reading.resumedFrom().copy(); // a first-format checkpoint's line was found
    logsStreamNewLines++;
    pending.add(timeNanos, stream, flags, buf, off, len);
    linesDecoded++;
  }

  /** Moves the checkpoint over the lines of an acknowledged batch. */
  private void advanceCheckpoint(LineBatch b) {
    if (!Boolean.TRUE.equals(logsMode) || b.count() == 0 || acked == null) return;
    for (int i = 0; i < b.count(); i++) {
      acked.pass(b.streamCode(i), b.timeNanos(i), b.data(), b.lineOffset(i), b.lineLength(i));
    }
    ackedSeq = b.lastSeq();
    for (byte s = 1; s <= 2; s++) {
      if (droppedPieces[s] <= acked.mark(s).timeNanos()) droppedPieces[s] = Long.MAX_VALUE; // read again since
    }
    if (!checkpointSaveScheduled) {
      checkpointSaveScheduled = true;
      vertx.setTimer(1_000, x -> {
        checkpointSaveScheduled = false;
        saveCheckpoint(false);
      });
    }
  }

  private Future<Void> saveCheckpoint(boolean force) {
    if (acked == null) return Future.succeededFuture();
    long since = LogResume.since(acked, knownAfterCheckpoint(), reading.newestSeen(), logsToleranceNanos, tty);
    Checkpoint cp = new Checkpoint(ackedSeq, since, acked.copy());
    java.nio.file.Path file = Checkpoint.fileOf(checkpointDir(), id);
    return spool.run(() -> {
      cp.save(file, force);
      return null;
    }).<Void>mapEmpty().onFailure(e -> LOG.warning("saving the checkpoint of " + meta.name() + " failed: " + e));
  }

  /**
   * Per stream, the earliest time of a line after the checkpoint the reader knows of: read and not acknowledged,
   * in pieces, or left in pieces by a closed stream (Long.MAX_VALUE: none). A resume must read them again.
   */
  private long[] knownAfterCheckpoint() {
    long[] next = droppedPieces.clone();
    for (LineBatch b : window.unacknowledged()) {
      for (int i = 0; i < b.count(); i++) next[b.streamCode(i)] = Math.min(next[b.streamCode(i)], b.timeNanos(i));
    }
    for (int i = 0; i < pending.count(); i++) {
      next[pending.streamCode(i)] = Math.min(next[pending.streamCode(i)], pending.timeNanos(i));
    }
    for (byte s = 1; s <= 2 && logsDecoder != null; s++) next[s] = Math.min(next[s], logsDecoder.heldTimeNanos(s));
    return next;
  }

  private void onData(Buffer buf) {
    metrics.bytesRead.increment(buf.length());
    if (decoder == null) {
      if (tty == null) {
        early.add(buf.copy()); // until inspect says how to decode it
        earlyTimes.add(nowNanos());
        return;
      }
      decoder = new StreamDecoder(tty, maxLineBytes, this);
    }
    decode(buf, nowNanos());
    pump();
    applyBackPressure();
  }

  private static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private void decode(Buffer buf, long arrivedNanos) {
    readTimeNanos = arrivedNanos;
    decodeRead(buf, decoder::feed);
  }

  private interface BytesConsumer {
    void feed(byte[] buf, int off, int len);
  }

  /**
   * Hands the bytes of one read to a decoder, without copying them when they are in a heap array (they are,
   * in Vert.x), then counts the lines it produced.
   */
  private void decodeRead(Buffer buf, BytesConsumer decoder) {
    io.netty.buffer.ByteBuf bb = ((io.vertx.core.internal.buffer.BufferInternal) buf).getByteBuf();
    if (bb.hasArray()) {
      decoder.feed(bb.array(), bb.arrayOffset() + bb.readerIndex(), bb.readableBytes());
    } else {
      byte[] bytes = buf.getBytes();
      decoder.feed(bytes, 0, bytes.length);
    }
    countLines();
  }

  /** Meters are updated once per read, not once per line. */
  private void countLines() {
    if (linesDecoded == 0) return;
    metrics.linesRead.increment(linesDecoded);
    metrics.pendingLines.addAndGet(linesDecoded);
    linesDecoded = 0;
  }

  @Override
  public void line(byte stream, byte flags, byte[] buf, int off, int len) {
    // attach carries no timestamps: the read time, made strictly increasing per container
    long t = Math.max(readTimeNanos, lastTimeNanos + 1);
    lastTimeNanos = t;
    pending.add(t, stream, flags, buf, off, len);
    linesDecoded++;
  }

  private void onStreamEnd(boolean failed) {
    if (!streamOpen) return;
    streamOpen = false;
    response = null;
    paused = false; // the next stream starts unpaused
    metrics.streamsOpen.decrementAndGet();
    if (Boolean.TRUE.equals(logsMode)) {
      // The container stopped. Docker may end the stream before it sent everything (seen with a reader far
      // behind), so one that brought new lines is opened again after them; the one that brings nothing new is
      // the end, and its unterminated last lines are whole. A broken stream or a stop leaves the pieces of a
      // line cut short unread: they are read again, whole, from the logs
      boolean maybeCutShort = logsStreamNewLines > 0 && !failed;
      if (logsDecoder != null && !failed && !stopping && !maybeCutShort) logsDecoder.finish();
      for (byte s = 1; s <= 2 && logsDecoder != null; s++) {
        droppedPieces[s] = Math.min(droppedPieces[s], logsDecoder.heldTimeNanos(s));
      }
      logsDecoder = null;
      if ((reopenAfterEnd || maybeCutShort) && !stopping) {
        vertx.runOnContext(v -> followLogs().onFailure(e -> checkDrained())); // (removed meanwhile: done)
      }
    } else if (decoder == null) {
      // not yet described: what came waits in `early` until inspect says how to decode it
    } else if (stopping) {
      decoder.flushPartial();
    } else {
      decoder.finish();
    }
    if (!Boolean.TRUE.equals(logsMode) && !stopping && !removed && (reattachOnExit || restartExpected)) {
      restartExpected = false;
      vertx.runOnContext(v -> reattach(REATTACH_TRIES));
    }
    countLines();
    if (failed) LOG.fine(() -> "attach stream of " + meta.name() + " broke");
    pump();
    checkDrained();
  }

  private static final int REATTACH_TRIES = 400;

  /**
   * Attaches to the container that just exited, before it starts again. While Docker's restart policy
   * counts its delay the container is "restarting" and refuses attaches (409): tried again every 5 ms for
   * 2 s (its first delays are 100 and 200 ms; the start event attaches after longer ones).
   */
  private void reattach(int triesLeft) {
    if (stopping || removed || isAttached()) return;
    attach().onFailure(e -> {
      if (triesLeft > 1 && e.getMessage() != null && e.getMessage().contains("refused: 409 ")) {
        vertx.setTimer(5, t -> reattach(triesLeft - 1));
      } else {
        LOG.fine(() -> "attaching again to " + meta.name() + " failed: " + e.getMessage());
      }
    });
  }

  /** Stops reading; the future completes when every line read so far is acknowledged (or on timeout). */
  public Future<Void> stop() {
    stopping = true;
    releaseAttachWaiters(null);
    // output that came before inspect answered is decoded as the common non-TTY case rather than dropped
    if (tty == null && !early.isEmpty()) describe(meta, false);
    if (streamOpen) {
      HttpClientResponse r = response;
      onStreamEnd(false);
      r.request().connection().close();
    }
    if (drained == null) drained = Promise.promise();
    checkDrained();
    return drained.future();
  }

  public boolean isIdle() {
    return containerSpool.isChecked() && pending.isEmpty() && window.isEmpty() && !containerSpool.holdsBatches() && !isAttached();
  }

  /** Runs {@code hook} once this reader has nothing left to read or send (the container was removed). */
  public void whenIdle(Runnable hook) {
    idleHook = hook;
    checkDrained();
  }

  private void checkDrained() {
    if (drained != null && containerSpool.isChecked() && pending.isEmpty() && window.isEmpty() && !containerSpool.holdsBatches()) {
      drained.tryComplete();
    }
    if (idleHook != null && isIdle()) {
      Runnable h = idleHook;
      idleHook = null;
      h.run();
    }
  }

  private void pump() {
    // while a resend waits for its backoff nothing new goes out: it would arrive ahead of older lines
    if (!numbering.isKnown() || tty == null || !containerSpool.isChecked() || !checkpointLoaded || spilledOnStop) return;
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
    if (Boolean.TRUE.equals(logsMode) || containerSpool.hasUnwritten()) return;
    // memory first (a burst the collectors absorb a moment later costs no disk), the spool past half the budget
    boolean backlogged = window.bytes() + pending.dataLength() >= bufferCap / 2;
    if (!containerSpool.hasRoom()) {
      if (backlogged && containerSpool.policy() == Spool.Policy.DROP_NEWEST) {
        int n = pending.count();
        pending.take(meta, numbering.next(), Integer.MAX_VALUE, Integer.MAX_VALUE); // discarded, numbered by nothing
        metrics.pendingLines.addAndGet(-n);
        metrics.linesDropped.increment(n);
      }
      return;
    }
    // once lines wait in the spool, newer ones go after them anyway: each full batch follows at once, so the
    // spool writes steadily and a backlog does not sit on the heap; at the stream's end, the rest follows
    boolean behindSpooledLines = containerSpool.holdsBatches() && (fullBatchPending() || !isAttached());
    if (!backlogged && !behindSpooledLines) return;
    if (!numbering.mayNumber(pending.count())) return;
    java.util.List<LineBatch> batches = new java.util.ArrayList<>();
    while (!pending.isEmpty()) batches.add(takeBatch());
    // until written, the batches are on the heap: a spool that falls behind pauses the reading
    containerSpool.write(batches).onComplete(ar -> {
      applyBackPressure();
      if (ar.succeeded() && !ar.result()) pump(); // what was not written goes out from memory
    });
  }

  /** Closes (and deletes, when empty) the spool file of a reader that is done, and drops its checkpoint. */
  public Future<Void> closeSpool() {
    acked = null; // the container is gone: nothing to resume
    java.nio.file.Path checkpoint = Checkpoint.fileOf(checkpointDir(), id);
    return containerSpool.close().compose(v -> spool.run(() -> {
      java.nio.file.Files.deleteIfExists(checkpoint);
      return null;
    })).compose(v -> numbering.forget());
  }

  /**
   * On stop, once the drain time is up: what is still unacknowledged, spooled and pending is written to the
   * spool, in seq order, and forced to disk, so the next run sends it. Lines that could not be numbered
   * (no collector ever answered for a container this agent did not see created) are lost and counted.
   */
  public Future<Void> spillOnStop() {
    spilledOnStop = true;
    if (Boolean.TRUE.equals(logsMode)) return saveCheckpoint(true); // the log holds what comes after it
    // a spool read in flight has already taken its batch out of the file: it joins `unacked` first
    return containerSpool.whenLoaded().compose(v -> spillAll());
  }

  private Future<Void> spillAll() {
    java.util.List<LineBatch> sent = new java.util.ArrayList<>();
    for (LineBatch b : window.unacknowledged()) if (b.count() > 0) sent.add(b);
    java.util.List<LineBatch> newer = new java.util.ArrayList<>();
    if (numbering.isKnown()) {
      while (!pending.isEmpty()) newer.add(takeBatch());
    } else if (!pending.isEmpty()) {
      LOG.warning("container " + meta.name() + ": " + pending.count() + " lines lost on stop (never numbered)");
      metrics.linesDropped.increment(pending.count());
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
    long held = window.bytes() + containerSpool.heldBytes() + pending.dataLength(); // lines written to the spool are not held
    if (!paused && response != null && held > bufferCap) {
      // the 'block' policy: stop reading this container until the collector catches up
      paused = true;
      response.pause();
      metrics.readerPauses.increment();
    } else if (paused && held < bufferCap / 2) {
      paused = false;
      if (response != null) response.resume();
    }
  }
}
