package io.dockline.attach.impl;

import io.dockline.attach.MultilineRule;

/**
 * A source's {@link RecordAssembler} with its flush timer on the reader's context: a record no line followed
 * for {@code multiline-flush} goes on without waiting for the next line. {@code flushed} runs after records
 * were emitted by the timer (the reader sends them).
 */
final class RecordStage {
  private final ReaderContext ctx;
  private final RecordAssembler records;
  private final Runnable flushed;
  private final long flushNanos;
  private long timer = -1;

  RecordStage(ReaderContext ctx, MultilineRule rule, RecordAssembler.Sink sink, Runnable flushed) {
    this.ctx = ctx;
    this.flushNanos = ctx.multiline().flushMillis() * 1_000_000L;
    this.records = new RecordAssembler(rule, flushNanos, ctx.multiline().maxRecordBytes(), sink);
    this.flushed = flushed;
  }

  /** See {@link RecordAssembler#feed}. */
  void feed(byte stream, byte flags, long timeNanos, byte[] b, int off, int len, Object tag) {
    records.feed(stream, flags, timeNanos, b, off, len, tag, System.nanoTime());
    if (timer < 0 && records.holdsRecords()) arm(flushNanos);
  }

  private void arm(long inNanos) {
    timer = ctx.vertx().setTimer(Math.max(1, (inNanos + 999_999) / 1_000_000), t -> onTimer());
  }

  private void onTimer() {
    timer = -1;
    long now = System.nanoTime();
    boolean held = records.holdsRecords();
    long next = records.flushIdle(now);
    if (held) flushed.run();
    if (next != Long.MAX_VALUE) arm(next - now);
  }

  /** The stream ended: open records are complete. */
  void finish() {
    records.finish();
  }

  /** See {@link RecordAssembler#earliestOpen}. */
  void earliestOpen(long[] times) {
    records.earliestOpen(times);
  }
}
