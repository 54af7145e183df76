package io.dockline.attach.impl;

import io.dockline.wire.Addresses;
import io.dockline.wire.BatchAck;
import io.dockline.wire.LineBatch;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import java.util.ArrayDeque;
import java.util.logging.Logger;

/**
 * One container's numbered batches on their way to the collectors, on the agent's context.
 *
 * <p>Contract: batches are sent in seq order, at most {@link #MAX_IN_FLIGHT} at once; an acknowledgement is
 * cumulative (everything up to {@code storedSeq} is durable) and hands each batch it covers to
 * {@link Listener#acknowledged} in order. After any failure every unacknowledged batch is sent again, in
 * order, after a backoff (the collector drops what it already holds); replies to sends a resend replaced
 * (an older epoch) are not counted. Nothing new should go out while a resend waits ({@link #resendPending}).
 */
final class DeliveryWindow {
  private static final Logger LOG = Logger.getLogger(DeliveryWindow.class.getName());
  static final int MAX_IN_FLIGHT = 4;

  interface Listener {
    /** The collectors hold {@code batch}: it leaves the window. */
    void acknowledged(LineBatch batch);

    /** A send succeeded: there is room for more. */
    void replied();

    /** Every unacknowledged batch was sent again. */
    void resent();

    /** The highest seq numbered so far (what the collectors hold when nothing is unacknowledged). */
    long lastNumbered();
  }

  private final ReaderContext ctx;
  private final Listener listener;
  private final DeliveryOptions sendOptions = new DeliveryOptions().setSendTimeout(15_000);
  private final ArrayDeque<LineBatch> unacked = new ArrayDeque<>();

  DeliveryWindow(ReaderContext ctx, Listener listener) {
    this.ctx = ctx;
    this.listener = listener;
  }

  /** The data bytes of the unacknowledged batches. */
  private long bytes;
  private int inFlight;
  /** Counts resends: a reply to a send made before the latest resend is not counted. */
  private int epoch;
  private boolean resendPending;

  boolean hasRoom() {
    return inFlight < MAX_IN_FLIGHT;
  }

  boolean nothingInFlight() {
    return inFlight == 0;
  }

  boolean resendPending() {
    return resendPending;
  }

  boolean isEmpty() {
    return unacked.isEmpty();
  }

  /** The data bytes of the unacknowledged batches: they are on the heap. */
  long bytes() {
    return bytes;
  }

  /** The unacknowledged batches, oldest first. */
  Iterable<LineBatch> unacknowledged() {
    return unacked;
  }

  /** Takes {@code batch} into the window and sends it. */
  void send(LineBatch batch) {
    hold(batch);
    ctx.metrics().batchesSent.increment();
    transmit(batch);
  }

  /** Takes {@code batch} into the window without sending it (stopping: it is spooled with the rest). */
  void hold(LineBatch batch) {
    unacked.addLast(batch);
    bytes += batch.dataLength();
  }

  private void transmit(LineBatch batch) {
    inFlight++;
    int sentEpoch = epoch;
    DeliveryOptions options = new DeliveryOptions(sendOptions)
        .addHeader(BatchAck.STORED_THROUGH_HEADER, Long.toString(storedThrough()));
    ctx.vertx().eventBus().<BatchAck>request(Addresses.ROUTER_BATCH, batch, options).onComplete(ar -> {
      if (ar.succeeded()) {
        trim(ar.result().body());
        // an announcement (no line) is done once any collector took it, whatever that one holds
        if (batch.count() == 0 && unacked.remove(batch)) ctx.metrics().batchesAcked.increment();
      }
      if (sentEpoch != epoch) return; // a reply to a send that a later resend has replaced
      inFlight--;
      if (ar.succeeded()) {
        ctx.retries().succeeded();
        listener.replied();
      } else {
        onSendFailure(ar.cause());
      }
    });
  }

  /** Every seq up to this one is acknowledged, by whichever collector held the stream at the time. */
  private long storedThrough() {
    return unacked.isEmpty() ? listener.lastNumbered() : unacked.peekFirst().firstSeq() - 1;
  }

  private void trim(BatchAck ack) {
    while (!unacked.isEmpty() && unacked.peekFirst().lastSeq() <= ack.storedSeq()) {
      LineBatch done = unacked.removeFirst();
      bytes -= done.dataLength();
      listener.acknowledged(done);
      ctx.metrics().batchesAcked.increment();
    }
  }

  private void onSendFailure(Throwable cause) {
    epoch++;
    inFlight = 0;
    if (resendPending) return; // one resend of everything unacknowledged is already scheduled
    resendPending = true;
    if (cause instanceof ReplyException && ((ReplyException) cause).failureCode() == BatchAck.GAP_FAILURE) {
      // a batch overtook an unacknowledged one on its way to a collector new to the stream: the resend below
      // goes out in order, each batch vouched for by the acknowledgements before it
      LOG.fine(() -> "collector wants line " + cause.getMessage().trim() + " of " + ctx.name() + " first; resending");
      ctx.vertx().setTimer(ctx.retries().gapDelay(), t -> resendUnacked());
      return;
    }
    LOG.log(ctx.retries().level(), () -> "storing lines of container " + ctx.name() + " failed (" + cause.getMessage()
        + "); retrying");
    ctx.vertx().setTimer(ctx.retries().nextDelay(), t -> resendUnacked());
  }

  private void resendUnacked() {
    resendPending = false;
    int resendEpoch = epoch;
    for (LineBatch b : unacked.toArray(new LineBatch[0])) {
      if (resendEpoch != epoch) break;
      ctx.metrics().batchesResent.increment();
      transmit(b);
    }
    listener.resent();
  }
}
