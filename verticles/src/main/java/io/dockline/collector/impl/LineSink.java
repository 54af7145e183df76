package io.dockline.collector.impl;

import java.nio.ByteBuffer;

/** What a read takes the lines of loaded chunks into, from seq {@link #nextSeq()} on, contiguously. */
interface LineSink {
  /** The seq of the next line wanted. */
  long nextSeq();

  /** True when the read is done: this sink takes no more lines. */
  boolean full();

  /**
   * Whether reading goes on at lines starting from {@code seq}: a read is contiguous, so it stops before a hole,
   * unless nothing was read yet, in which case it starts after the hole.
   */
  boolean continuesAt(long seq);

  /** Takes lines from seq {@link #nextSeq()} on out of a chunk loaded at {@code body} in {@code window}. */
  void takeFrom(ByteBuffer window, int body, ChunkHeader header);
}
