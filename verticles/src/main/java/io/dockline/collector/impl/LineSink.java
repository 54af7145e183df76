package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import java.nio.ByteBuffer;

/**
 * What a read takes the lines of loaded chunks into, from seq {@link #nextSeq()} on, contiguously. The walk is
 * the same whatever a sink keeps of the lines, so it lives here: a read stops before a hole, unless nothing was
 * walked yet, in which case it starts after the hole; a chunk is entered at the first line wanted. A sink says
 * what it takes of a chunk's lines ({@link #take}) and when it is {@link #done()}.
 */
abstract class LineSink {
  private long startSeq;
  private long nextSeq;
  private boolean stoppedAtHole;

  LineSink(long firstSeq) {
    this.startSeq = firstSeq;
    this.nextSeq = firstSeq;
  }

  /** The seq of the next line wanted. */
  final long nextSeq() { return nextSeq; }

  /** Where the walk started: the seq asked for, or the first after the hole it was in. */
  final long startSeq() { return startSeq; }

  /** Lines walked so far, taken or passed over. */
  final long walked() { return nextSeq - startSeq; }

  /** True when the read is done: this sink takes no more lines. */
  final boolean full() { return stoppedAtHole || done(); }

  /** Whether reading goes on at lines starting from {@code seq}. */
  final boolean continuesAt(long seq) {
    if (seq <= nextSeq) return true;
    if (nextSeq == startSeq) {
      startSeq = seq;
      nextSeq = seq;
      return true;
    }
    stoppedAtHole = true;
    return false;
  }

  /** Takes lines from seq {@link #nextSeq()} on out of a chunk loaded at {@code body} in {@code window}. */
  final void takeFrom(ByteBuffer window, int body, ChunkHeader header) {
    int first = (int) (nextSeq - header.firstSeq);
    int text = body + header.count * LINE_RECORD_BYTES;
    for (int i = 0; i < first; i++) text += lengthOf(window, body, i);
    nextSeq += take(window, body, header, first, text);
  }

  /** Whether it takes no more lines, holes aside. */
  abstract boolean done();

  /**
   * Walks the chunk's lines from its line {@code first} on, whose text starts at {@code text} in {@code window},
   * as far as it goes; returns how many lines it walked.
   */
  abstract int take(ByteBuffer window, int body, ChunkHeader header, int first, int text);

  static int lengthOf(ByteBuffer window, int body, int line) {
    return window.getInt(body + line * LINE_RECORD_BYTES + RECORD_LENGTH_OFFSET);
  }
}
