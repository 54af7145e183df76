package io.dockline.attach.impl;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.function.BooleanSupplier;

/**
 * The one streaming request on the Docker socket a reader has open at a time (an attach stream or the logs
 * endpoint), on the agent's context.
 *
 * <p>Contract: {@link Listener#ended} is called once per opened stream, with whether it broke, when Docker ends it or
 * when {@link #end} ends it; not after {@link #drop}. While open, {@link #holdBack} pauses it above the
 * budget and resumes it below half; a new stream starts unpaused. Bytes read and lines decoded are metered
 * once per read.
 *
 * <p>A busy stream's reads are coalesced: once the event loop has read what the socket held, a stream whose
 * reads came less than {@link #COALESCE_NANOS} apart is not read again until that time has passed, so
 * Docker's writes gather in the socket and one wake-up takes many. Each read of a busy stream would otherwise
 * wake the event loop for a few frames (Docker writes each copy it makes from the container's pipe), and a
 * wake-up costs more than the frames it reads (see bench/RESULTS.md). The kernel holds what Docker writes
 * meanwhile (the socket's send buffer, about 200 KB, is 2 ms of output at 100 MB/s); a stream that writes
 * now and then is read at once.
 */
final class DockerStream {
  interface Listener {
    /** The stream ended ({@code failed}: it broke). */
    void ended(boolean failed);

    /** A stream unwanted by the time it opened was closed at once. */
    void discarded();
  }

  /** The bytes of one read, handed to a decoder without copying them. */
  interface Decoder {
    void feed(byte[] buf, int off, int len);
  }

  private final ReaderContext ctx;
  private final HttpClient http;
  private final SocketAddress docker;
  private final Listener listener;
  private HttpClientResponse response;
  private boolean open;
  private boolean connecting;
  private boolean paused;
  private int linesDecoded;
  /** The wait between two reads of a busy stream. */
  static final long COALESCE_NANOS = 2_000_000;
  /** The open stream's connection, whose reads {@link #coalesce} holds back. */
  private io.netty.channel.Channel channel;
  private long lastReadNanos;
  /** Reads are held back until a timer ends the wait. */
  private boolean coalescing;

  DockerStream(ReaderContext ctx, HttpClient http, SocketAddress docker, Listener listener) {
    this.ctx = ctx;
    this.http = http;
    this.docker = docker;
    this.listener = listener;
  }

  boolean isOpen() {
    return open;
  }

  /** True while a stream is open or being opened. */
  boolean isBusy() {
    return open || connecting;
  }

  /**
   * Opens a streaming request; {@code onData} reads it until it ends. A stream that is {@code unwanted} by the
   * time it opens is closed at once (the future succeeds, {@link #isOpen} stays false).
   */
  Future<Void> open(HttpMethod method, String uri, String what, BooleanSupplier unwanted, Handler<Buffer> onData) {
    connecting = true;
    RequestOptions req = new RequestOptions().setServer(docker).setMethod(method).setHost("localhost")
        .setPort(80).setURI(uri);
    return http.request(req).compose(r -> r.send()).compose(resp -> {
      connecting = false;
      if (resp.statusCode() != 200) {
        return resp.body().compose(body -> Future.failedFuture(
            what + " " + ctx.name() + " refused: " + resp.statusCode() + " " + body.toString().trim()));
      }
      if (unwanted.getAsBoolean()) {
        resp.request().connection().close();
        listener.discarded();
        return Future.<Void>succeededFuture();
      }
      response = resp;
      channel = resp.request().connection() instanceof io.vertx.core.net.impl.ConnectionBase c ? c.channel() : null;
      lastReadNanos = System.nanoTime() - COALESCE_NANOS;
      open = true;
      ctx.metrics().streamsOpen.incrementAndGet();
      resp.handler(buf -> {
        ctx.metrics().bytesRead.increment(buf.length());
        onData.handle(buf);
        coalesce();
      });
      resp.endHandler(v -> ended(false));
      resp.exceptionHandler(e -> ended(true));
      return Future.<Void>succeededFuture();
    }).onFailure(e -> connecting = false);
  }

  /**
   * After a piece of a read: while the stream is busy, its reading stops once this wake-up has read what the
   * socket holds (a task runs after the event loop's reads) and goes on after the wait (see the class comment).
   */
  private void coalesce() {
    long now = System.nanoTime();
    boolean busy = now - lastReadNanos < COALESCE_NANOS;
    lastReadNanos = now;
    if (!busy || coalescing || channel == null) return;
    coalescing = true;
    io.netty.channel.Channel ch = channel;
    ch.eventLoop().execute(() -> {
      if (ch != channel) {
        coalescing = false;
        return;
      }
      ch.config().setAutoRead(false);
      ch.eventLoop().schedule(() -> {
        coalescing = false;
        if (ch == channel && !paused) ch.config().setAutoRead(true);
      }, COALESCE_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS);
    });
  }

  private void ended(boolean failed) {
    if (!close()) return;
    listener.ended(failed);
  }

  private boolean close() {
    if (!open) return false;
    open = false;
    response = null;
    channel = null;
    paused = false; // the next stream starts unpaused
    ctx.metrics().streamsOpen.decrementAndGet();
    return true;
  }

  /** Ends the open stream now (stopping, or the container was removed), as if Docker had ended it. */
  void end() {
    if (!open) return;
    HttpClientResponse r = response;
    ended(false);
    r.request().connection().close();
  }

  /** Closes the open stream without ending it: nothing it brought is wanted. */
  void drop() {
    HttpClientResponse r = response;
    if (close()) r.request().connection().close();
  }

  /** The 'block' policy: stop reading while {@code held} bytes exceed {@code cap}, go on below half of it. */
  void holdBack(long held, long cap) {
    if (!paused && response != null && held > cap) {
      paused = true;
      response.pause();
      ctx.metrics().readerPauses.increment();
    } else if (paused && held < cap / 2) {
      paused = false;
      if (response != null) response.resume();
      // a wait that ended while paused left the reads off
      if (channel != null && !coalescing) channel.config().setAutoRead(true);
    }
  }

  /** Hands the bytes of one read to {@code decoder}, without copying them when they are in a heap array. */
  void decode(Buffer buf, Decoder decoder) {
    io.netty.buffer.ByteBuf bb = ((io.vertx.core.internal.buffer.BufferInternal) buf).getByteBuf();
    if (bb.hasArray()) {
      decoder.feed(bb.array(), bb.arrayOffset() + bb.readerIndex(), bb.readableBytes());
    } else {
      byte[] bytes = buf.getBytes();
      decoder.feed(bytes, 0, bytes.length);
    }
    countLines();
  }

  /** A decoder produced a line. */
  void lineDecoded() {
    linesDecoded++;
  }

  /** Meters are updated once per read, not once per line. */
  void countLines() {
    if (linesDecoded == 0) return;
    ctx.metrics().linesRead.increment(linesDecoded);
    ctx.metrics().pendingLines.addAndGet(linesDecoded);
    linesDecoded = 0;
  }
}
