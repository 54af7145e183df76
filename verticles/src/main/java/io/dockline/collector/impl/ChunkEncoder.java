package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import io.dockline.wire.LineBatch;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encodes a batch as one chunk into a reused direct buffer, so an append is a single write without
 * per-line allocation or the JDK's hidden copy of heap buffers.
 */
final class ChunkEncoder {
  private static final int INITIAL_CAPACITY = 1 << 20;
  /** A buffer grown past this for an unusually large batch is dropped afterwards rather than kept. */
  private static final int RETAINED_CAPACITY = 16 << 20;

  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_CAPACITY);

  /** Encodes lines {@code from .. count-1} of the batch; the result is ready to write, valid until the next call. */
  ByteBuffer encode(LineBatch batch, int from) {
    int lines = batch.count() - from;
    int dataStart = batch.lineOffset(from);
    int dataBytes = batch.lineOffset(batch.count()) - dataStart;
    long total = HEADER_BYTES + (long) lines * LINE_RECORD_BYTES + dataBytes;
    if (total > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("batch too large for one chunk: " + total + " bytes");
    }
    ensureCapacity((int) total);
    ByteBuffer out = buffer.clear();
    out.putInt(MAGIC).putInt((int) (total - HEADER_BYTES)).putInt(0).putLong(batch.seq(from)).putInt(lines);
    for (int i = from; i < batch.count(); i++) {
      out.putLong(batch.timeNanos(i)).put(batch.streamCode(i)).put(batch.flags(i)).putInt(batch.lineLength(i));
    }
    out.put(batch.data(), dataStart, dataBytes);
    out.flip();
    crc.reset();
    crc.update(out.duplicate().position(CRC_START));
    out.putInt(CRC_OFFSET, (int) crc.getValue());
    return out;
  }

  void releaseIfOversized() {
    if (buffer.capacity() > RETAINED_CAPACITY) buffer = ByteBuffer.allocateDirect(INITIAL_CAPACITY);
  }

  private void ensureCapacity(int bytes) {
    if (buffer.capacity() < bytes) {
      buffer = ByteBuffer.allocateDirect((int) Math.min(MAX_CHUNK_BYTES, Math.max(bytes, 2L * buffer.capacity())));
    }
  }
}
