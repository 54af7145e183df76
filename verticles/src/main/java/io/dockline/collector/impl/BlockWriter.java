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
  private final BlockIndex.Builder index = new BlockIndex.Builder();
  private final ChunkHeader written = new ChunkHeader();
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
    this.codec = compress ? CODEC_ZSTD_PLANES : CODEC_NONE;
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

  /** Where its blocks are and what each holds. */
  BlockIndex index() { return index.build(); }

  private void flush() throws IOException {
    if (count == 0) return;
    int raw = recordBytes + textBytes;
    byte[] payload;
    int payloadLength;
    if (codec == CODEC_NONE) {
      payload = new byte[raw];
      System.arraycopy(records, 0, payload, 0, recordBytes);
      System.arraycopy(text, 0, payload, recordBytes, textBytes);
      payloadLength = raw;
    } else {
      payload = new byte[(int) Zstd.compressBound(raw)];
      byte[] columns = columns(records, count, text, textBytes);
      payloadLength = (int) Zstd.compressByteArray(payload, 0, payload.length, columns, 0, raw, ZSTD_LEVEL);
    }
    ByteBuffer block = ByteBuffer.allocate(BLOCK_HEADER_BYTES + payloadLength);
    block.putInt(BLOCK_MAGIC).putInt(payloadLength).putInt(0).putLong(firstSeq).putInt(count).put(codec).putInt(raw)
        .put(payload, 0, payloadLength);
    putCrc(block, 0, block.position(), crc);
    written.position = size;
    written.headerBytes = BLOCK_HEADER_BYTES;
    written.bodyLength = payloadLength;
    written.firstSeq = firstSeq;
    written.count = count;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    ByteBuffer times = ByteBuffer.wrap(records);
    for (int i = 0; i < count; i++) {
      long time = times.getLong(i * LINE_RECORD_BYTES + RECORD_TIME_OFFSET);
      min = Math.min(min, time);
      max = Math.max(max, time);
    }
    index.add(written, min, max);
    size = FileAppend.write(out, block.flip(), size);
    recordBytes = 0;
    textBytes = 0;
    count = 0;
  }

  /**
   * The records of {@code count} lines by column in {@link ChunkFormat#CODEC_ZSTD_PLANES}'s layout, then their
   * text: times as the difference to the line before, a number's bytes in planes (every line's most significant
   * byte, then the next: mostly zeros, which cost nothing compressed).
   */
  static byte[] columns(byte[] records, int count, byte[] text, int textBytes) {
    byte[] out = new byte[count * LINE_RECORD_BYTES + textBytes];
    ByteBuffer in = ByteBuffer.wrap(records);
    int streams = count * 8;
    int flags = streams + count;
    int lengths = flags + count;
    long previous = 0;
    for (int i = 0; i < count; i++) {
      int record = i * LINE_RECORD_BYTES;
      long time = in.getLong(record + RECORD_TIME_OFFSET);
      long delta = time - previous;
      previous = time;
      for (int b = 0; b < 8; b++) out[b * count + i] = (byte) (delta >>> (56 - 8 * b));
      out[streams + i] = in.get(record + RECORD_STREAM_OFFSET);
      out[flags + i] = in.get(record + RECORD_FLAGS_OFFSET);
      int length = in.getInt(record + RECORD_LENGTH_OFFSET);
      for (int b = 0; b < 4; b++) out[lengths + b * count + i] = (byte) (length >>> (24 - 8 * b));
    }
    System.arraycopy(text, 0, out, count * LINE_RECORD_BYTES, textBytes);
    return out;
  }

  /**
   * Turns a decoded body of columns (as {@code codec} lays them out: see {@link ChunkFormat}) back into records
   * then text, in place: both layouts take {@code count * LINE_RECORD_BYTES} bytes before the text, so the text
   * stays where it is and only the columns are copied, to {@code scratch} (at least that long), first.
   */
  static void recordsInPlace(byte[] body, int count, byte codec, byte[] scratch) {
    int recordBytes = count * LINE_RECORD_BYTES;
    System.arraycopy(body, 0, scratch, 0, recordBytes);
    ByteBuffer columns = ByteBuffer.wrap(scratch);
    ByteBuffer records = ByteBuffer.wrap(body);
    boolean planes = codec == CODEC_ZSTD_PLANES;
    int streams = count * 8;
    int flags = streams + count;
    int lengths = flags + count;
    long time = 0;
    for (int i = 0; i < count; i++) {
      int record = i * LINE_RECORD_BYTES;
      long delta;
      int length;
      if (planes) {
        delta = 0;
        for (int b = 0; b < 8; b++) delta = delta << 8 | (scratch[b * count + i] & 0xff);
        length = 0;
        for (int b = 0; b < 4; b++) length = length << 8 | (scratch[lengths + b * count + i] & 0xff);
      } else {
        delta = columns.getLong(i * 8);
        length = columns.getInt(lengths + i * 4);
      }
      time += delta;
      records.putLong(record + RECORD_TIME_OFFSET, time);
      records.put(record + RECORD_STREAM_OFFSET, scratch[streams + i]);
      records.put(record + RECORD_FLAGS_OFFSET, scratch[flags + i]);
      records.putInt(record + RECORD_LENGTH_OFFSET, length);
    }
  }

  private static byte[] fit(byte[] array, int needed) {
    return array.length >= needed ? array : java.util.Arrays.copyOf(array, Math.max(needed, array.length * 2));
  }
}
