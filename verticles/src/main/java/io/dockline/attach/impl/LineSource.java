package io.dockline.attach.impl;

import io.vertx.core.Future;

/**
 * Where a {@link ContainerReader}'s lines come from: the container's attach stream ({@link AttachSource}) or
 * its log through the logs endpoint ({@link LogsSource}). A source reads through the reader's one
 * {@link DockerStream} and adds the lines it decodes, stamped, to the reader's pending lines.
 */
abstract class LineSource {
  final ReaderContext ctx;
  /** The reader's one stream: a source reads through it, one stream at a time. */
  final DockerStream stream;
  final Host host;

  LineSource(Host host) {
    this.host = host;
    this.ctx = host.context();
    this.stream = host.stream();
  }

  /** Opens the stream unless one is open or being opened (or it is not wanted); fails when Docker refused it. */
  abstract Future<Void> open();

  /**
   * The stream ended ({@code failed}: it broke); {@code stopping}: the agent stops. The source decides whether
   * the lines left in its decoder are whole, and whether to open the stream again.
   */
  abstract void ended(boolean failed, boolean stopping);

  /** The reader a source serves, on the agent's context. */
  interface Host {
    ReaderContext context();

    DockerStream stream();

    /** The container's name, for messages. */
    String name();

    boolean stopping();

    /** Numbering may go on (it waited for the source). */
    void pump();

    /** Lines were read: they go on, and the reading pauses while too much is held. */
    void read();

    /** A stream went away: a stop or a removal waiting for the reader to be done may complete. */
    void checkDone();

    /** A line read, stamped with {@code timeNanos}; the bytes are only valid during the call. */
    void add(long timeNanos, byte stream, byte flags, byte[] buf, int off, int len);

    /** How the container's lines are grouped into records (known once it is described). */
    io.dockline.attach.MultilineRule multiline();

    /** The container is read from its logs: the attach stream is not wanted. */
    boolean readsLogs();

    /** An attempt to open the attach stream succeeded or failed. */
    void attachAttempted();

    /** Logs mode: numbering starts at {@code first}, a function of the log. */
    void numberFrom(long first);

    /**
     * Per stream (index 1 and 2), lowers {@code times} to the earliest time of a line the reader holds, read and
     * not acknowledged yet.
     */
    void earliestHeld(long[] times);
  }
}
