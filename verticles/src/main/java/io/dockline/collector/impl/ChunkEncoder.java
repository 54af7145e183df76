package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import io.dockline.wire.LineBatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Encodes a batch as one chunk into a reused direct buffer, so an append is a single write without
 * per-line allocation or the JDK's hidden copy of heap buffers.
 *
 * <p>The chunks of one group (the appends between two syncs) stay in the buffer back to back, each behind
 * its {@link WriteAheadLog} record header, so the whole group can go to the shared log in one write when that
 * is cheaper than syncing every container's segment. A group that outgrows {@link #GROUP_BYTES} is not
 * kept: its later chunks reuse the start of the buffer, and the store syncs the segments instead.
 */
final class ChunkEncoder {
  static final int GROUP_BYTES = 4 << 20;
  private static final int INITIAL_CAPACITY = 1 << 20;
  /** A buffer grown past this for an unusually large batch is dropped afterwards rather than kept. */
  private static final int RETAINED_CAPACITY = 16 << 20;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final int INITIAL_RECORD_BYTES = 64 << 10;
  private static final int RETAINED_RECORD_BYTES = 1 << 20;

  private final CRC32C crc = new CRC32C();
  private byte[] records = new byte[INITIAL_RECORD_BYTES];
  private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_CAPACITY);
  /** End of the records kept for the group. */
  private int groupEnd;
  private boolean groupKept = true;
  /** The record encoded last, kept by {@link #keep()} once its chunk is in a segment. */
  private int pendingEnd = -1;

  /**
   * Encodes lines {@code from .. count-1} of the batch as a chunk, behind a log record header naming
   * {@code containerId}. Returns the chunk alone, ready to write to a segment, valid until the next call.
   */
  ByteBuffer encode(LineBatch batch, int from, byte[] containerId) {
    int lines = batch.count() - from;
    int dataStart = batch.lineOffset(from);
    int dataBytes = batch.lineOffset(batch.count()) - dataStart;
    long total = HEADER_BYTES + (long) lines * LINE_RECORD_BYTES + dataBytes;
    int recordHeader = WriteAheadLog.recordHeaderBytes(containerId);
    if (total + recordHeader > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("batch too large for one chunk: " + total + " bytes");
    }
    if (groupKept && groupEnd + recordHeader + total > GROUP_BYTES) {
      groupKept = false;
      groupEnd = 0;
    }
    int recordStart = groupEnd;
    ensureCapacity(recordStart + recordHeader + (int) total);
    ByteBuffer out = buffer.clear().position(recordStart);
    WriteAheadLog.putRecordHeader(out, containerId);
    int chunkStart = out.position();
    out.putInt(MAGIC).putInt((int) (total - HEADER_BYTES)).putInt(0).putLong(batch.seq(from)).putInt(lines);
    out.put(lineRecords(batch, from, lines), 0, lines * LINE_RECORD_BYTES);
    out.put(batch.data(), dataStart, dataBytes);
    int chunkEnd = out.position();
    putCrc(buffer, chunkStart, chunkEnd, crc);
    pendingEnd = chunkEnd;
    return buffer.duplicate().limit(chunkEnd).position(chunkStart);
  }

  /**
   * The lines' records (time, stream, flags, length; big-endian as the buffer's puts), written into a heap
   * array and put in one copy: four buffer puts per line, each checked, cost more than the line's text.
   */
  private byte[] lineRecords(LineBatch batch, int from, int lines) {
    int bytes = lines * LINE_RECORD_BYTES;
    if (records.length < bytes) records = new byte[Math.max(bytes, 2 * records.length)];
    byte[] r = records;
    for (int i = from, p = 0; i < batch.count(); i++, p += LINE_RECORD_BYTES) {
      LONGS.set(r, p + RECORD_TIME_OFFSET, batch.timeNanos(i));
      r[p + RECORD_STREAM_OFFSET] = batch.streamCode(i);
      r[p + RECORD_FLAGS_OFFSET] = batch.flags(i);
      INTS.set(r, p + RECORD_LENGTH_OFFSET, batch.lineLength(i));
    }
    if (records.length > RETAINED_RECORD_BYTES) records = new byte[INITIAL_RECORD_BYTES]; // the next batch's
    return r;
  }

  /**
   * A new chunk of the lines {@code skip ..} of a chunk or block whose body is at {@code body} in
   * {@code bytes}: what a purge keeps of the unit its boundary falls in.
   */
  static ByteBuffer tail(ByteBuffer bytes, int body, ChunkHeader header, int skip) {
    int lines = header.count - skip;
    int text = body + header.count * LINE_RECORD_BYTES;
    int skippedText = 0;
    for (int i = 0; i < skip; i++) skippedText += bytes.getInt(body + i * LINE_RECORD_BYTES + RECORD_LENGTH_OFFSET);
    int textBytes = header.rawBodyLength - header.count * LINE_RECORD_BYTES - skippedText;
    int total = HEADER_BYTES + lines * LINE_RECORD_BYTES + textBytes;
    ByteBuffer out = ByteBuffer.allocate(total);
    out.putInt(MAGIC).putInt(total - HEADER_BYTES).putInt(0).putLong(header.firstSeq + skip).putInt(lines);
    out.put(bytes.duplicate().limit(text).position(body + skip * LINE_RECORD_BYTES));
    out.put(bytes.duplicate().limit(text + skippedText + textBytes).position(text + skippedText));
    putCrc(out, 0, total, new CRC32C());
    return out.flip();
  }

  /** The chunk encoded last is stored: its record becomes part of the group. */
  void keep() {
    if (groupKept && pendingEnd >= 0) groupEnd = pendingEnd;
    pendingEnd = -1;
  }

  /** The group's records, ready for one write; null when the group outgrew {@link #GROUP_BYTES}. */
  ByteBuffer groupRecords() {
    return groupKept ? buffer.duplicate().limit(groupEnd).position(0) : null;
  }

  /** Starts the next group (after a sync); drops a buffer grown for an unusually large batch. */
  void newGroup() {
    groupEnd = 0;
    groupKept = true;
    pendingEnd = -1;
    if (buffer.capacity() > RETAINED_CAPACITY) buffer = ByteBuffer.allocateDirect(INITIAL_CAPACITY);
  }

  /** Grows the buffer, carrying the group's records over. */
  private void ensureCapacity(int bytes) {
    if (!groupKept && bytes <= INITIAL_CAPACITY && buffer.capacity() > RETAINED_CAPACITY) {
      buffer = ByteBuffer.allocateDirect(INITIAL_CAPACITY); // nothing kept: no sync comes to drop it (fsync off)
    }
    if (buffer.capacity() < bytes) {
      ByteBuffer bigger =
          ByteBuffer.allocateDirect((int) Math.min(MAX_CHUNK_BYTES, Math.max(bytes, 2L * buffer.capacity())));
      bigger.put(buffer.duplicate().limit(groupEnd).position(0));
      buffer = bigger;
    }
  }
}
