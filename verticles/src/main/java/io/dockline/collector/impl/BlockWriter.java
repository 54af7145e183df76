package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Writes a compacted segment: the lines of many chunks gathered into blocks of about {@link #BLOCK_RAW_BYTES},
 * each compressed on its own, so a read decodes one block, not the segment. A block holds contiguous seqs:
 * a hole starts a new one.
 */
final class BlockWriter {
  static final int BLOCK_RAW_BYTES = 1 << 20;
  private static final int ZSTD_LEVEL = 3;

  private final FileChannel out;
  private final byte codec;
  private final CRC32C crc = new CRC32C();
  private final SegmentStats stats = new SegmentStats();
  private byte[] records = new byte[64 << 10];
  private byte[] text = new byte[BLOCK_RAW_BYTES + (64 << 10)];
  private int recordBytes;
  private int textBytes;
  private long firstSeq;
  private int count;
  private long size;

  /** Starts the file with a header saying it is compacted, for lines above {@code baseSeq}. */
  BlockWriter(FileChannel out, long baseSeq, boolean compress) throws IOException {
    this.out = out;
    this.codec = compress ? CODEC_ZSTD : CODEC_NONE;
    this.size = FileAppend.write(out, SegmentHeader.encode(SegmentHeader.FLAG_BLOCKS, baseSeq), 0);
  }

  /** Adds the lines of a verified chunk or block whose body is at {@code body} in {@code bytes}. */
  void add(ChunkHeader header, ByteBuffer bytes, int body) throws IOException {
    if (count > 0 && header.firstSeq != firstSeq + count) flush();
    if (count == 0) firstSeq = header.firstSeq;
    int lineRecords = header.count * LINE_RECORD_BYTES;
    int lineText = header.rawBodyLength - lineRecords;
    records = fit(records, recordBytes + lineRecords);
    text = fit(text, textBytes + lineText);
    bytes.get(body, records, recordBytes, lineRecords);
    bytes.get(body + lineRecords, text, textBytes, lineText);
    stats.addChunk(bytes, body, header.firstSeq, header.count);
    recordBytes += lineRecords;
    textBytes += lineText;
    count += header.count;
    if (recordBytes + textBytes >= BLOCK_RAW_BYTES) flush();
  }

  /** Writes the last block; returns the file's size. */
  long finish() throws IOException {
    flush();
    return size;
  }

  SegmentStats stats() { return stats; }

  private void flush() throws IOException {
    if (count == 0) return;
    int raw = recordBytes + textBytes;
    byte[] body = new byte[raw];
    System.arraycopy(records, 0, body, 0, recordBytes);
    System.arraycopy(text, 0, body, recordBytes, textBytes);
    byte[] payload = body;
    int payloadLength = raw;
    if (codec == CODEC_ZSTD) {
      byte[] columns = columns(body, count, recordBytes);
      payload = new byte[(int) Zstd.compressBound(raw)];
      payloadLength = (int) Zstd.compressByteArray(payload, 0, payload.length, columns, 0, raw, ZSTD_LEVEL);
    }
    ByteBuffer block = ByteBuffer.allocate(BLOCK_HEADER_BYTES + payloadLength);
    block.putInt(BLOCK_MAGIC).putInt(payloadLength).putInt(0).putLong(firstSeq).putInt(count).put(codec).putInt(raw)
        .put(payload, 0, payloadLength);
    putCrc(block, 0, block.position(), crc);
    size = FileAppend.write(out, block.flip(), size);
    recordBytes = 0;
    textBytes = 0;
    count = 0;
  }

  /** The body's records by column, times as deltas (see {@link ChunkFormat}); the text stays where it is. */
  static byte[] columns(byte[] body, int count, int recordBytes) {
    ByteBuffer in = ByteBuffer.wrap(body);
    ByteBuffer out = ByteBuffer.allocate(body.length);
    long previous = 0;
    for (int i = 0; i < count; i++) {
      long time = in.getLong(i * LINE_RECORD_BYTES + RECORD_TIME_OFFSET);
      out.putLong(time - previous);
      previous = time;
    }
    for (int i = 0; i < count; i++) out.put(in.get(i * LINE_RECORD_BYTES + RECORD_STREAM_OFFSET));
    for (int i = 0; i < count; i++) out.put(in.get(i * LINE_RECORD_BYTES + RECORD_FLAGS_OFFSET));
    for (int i = 0; i < count; i++) out.putInt(in.getInt(i * LINE_RECORD_BYTES + RECORD_LENGTH_OFFSET));
    out.put(body, recordBytes, body.length - recordBytes);
    return out.array();
  }

  /**
   * Turns a decoded body of {@link #columns} back into records then text, in place: both layouts take
   * {@code count * LINE_RECORD_BYTES} bytes before the text, so the text stays where it is and only the
   * columns are copied, to {@code scratch} (at least that long), first.
   */
  static void recordsInPlace(byte[] body, int count, byte[] scratch) {
    int recordBytes = count * LINE_RECORD_BYTES;
    System.arraycopy(body, 0, scratch, 0, recordBytes);
    ByteBuffer columns = ByteBuffer.wrap(scratch);
    ByteBuffer records = ByteBuffer.wrap(body);
    int streams = count * 8;
    int flags = streams + count;
    int lengths = flags + count;
    long time = 0;
    for (int i = 0; i < count; i++) {
      int record = i * LINE_RECORD_BYTES;
      time += columns.getLong(i * 8);
      records.putLong(record + RECORD_TIME_OFFSET, time);
      records.put(record + RECORD_STREAM_OFFSET, columns.get(streams + i));
      records.put(record + RECORD_FLAGS_OFFSET, columns.get(flags + i));
      records.putInt(record + RECORD_LENGTH_OFFSET, columns.getInt(lengths + i * 4));
    }
  }

  private static byte[] fit(byte[] array, int needed) {
    return array.length >= needed ? array : java.util.Arrays.copyOf(array, Math.max(needed, array.length * 2));
  }
}
