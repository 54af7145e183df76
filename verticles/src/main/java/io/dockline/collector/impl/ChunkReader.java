package io.dockline.collector.impl;

import static io.dockline.collector.impl.ChunkFormat.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;
import com.github.luben.zstd.Zstd;

/**
 * Walks the chunks of one segment through a reused window of file bytes: a header costs a positional
 * read only when the window does not already hold it, so skipping many small chunks is a handful of
 * reads, and skipping large ones never touches their bodies.
 */
final class ChunkReader {
  private static final int BLOCK_BYTES = 64 << 10;
  private static final int RETAINED_CAPACITY = 4 << 20;

  private final CRC32C crc = new CRC32C();
  private ByteBuffer window = ByteBuffer.allocate(BLOCK_BYTES);
  /** Where a compressed block's body is decoded to. */
  private ByteBuffer decoded = ByteBuffer.allocate(0);
  /** Where a decoded block's columns are copied while they are turned into records. */
  private byte[] columns = new byte[0];
  /** What the last {@link #loadBody} left its body in: the window, or {@link #decoded}. */
  private ByteBuffer body = window;
  private FileChannel channel;
  private long end;
  private long windowStart;
  private int windowLength;

  /** Reads from {@code channel}, whose valid bytes end at {@code end}. */
  void attach(FileChannel channel, long end) {
    this.channel = channel;
    this.end = end;
    this.windowLength = 0;
  }

  void detach() {
    channel = null;
    windowLength = 0;
    if (window.capacity() > RETAINED_CAPACITY) window = ByteBuffer.allocate(BLOCK_BYTES);
    if (decoded.capacity() > RETAINED_CAPACITY) {
      decoded = ByteBuffer.allocate(0);
      columns = new byte[0];
    }
  }

  /** Decodes and sanity-checks the header at {@code position}; the body is neither read nor verified. */
  void readHeader(long position, ChunkHeader header) throws IOException {
    if (end - position < HEADER_BYTES) throw corrupt(position, "cut short inside the header");
    int at = load(position, HEADER_BYTES);
    int magic = window.getInt(at);
    if (magic == MAGIC) {
      header.headerBytes = HEADER_BYTES;
      header.codec = PLAIN_CHUNK;
    } else if (magic == BLOCK_MAGIC) {
      if (end - position < BLOCK_HEADER_BYTES) throw corrupt(position, "cut short inside the header");
      at = load(position, BLOCK_HEADER_BYTES);
      header.headerBytes = BLOCK_HEADER_BYTES;
      header.codec = window.get(at + BLOCK_CODEC_OFFSET);
      header.rawBodyLength = window.getInt(at + BLOCK_RAW_LENGTH_OFFSET);
      if (header.codec != CODEC_NONE && header.codec != CODEC_ZSTD && header.codec != CODEC_ZSTD_PLANES) {
        throw corrupt(position, "unknown codec " + header.codec);
      }
    } else {
      throw corrupt(position, "bad magic");
    }
    header.position = position;
    header.bodyLength = window.getInt(at + 4);
    header.crc = window.getInt(at + CRC_OFFSET);
    header.firstSeq = window.getLong(at + FIRST_SEQ_OFFSET);
    header.count = window.getInt(at + COUNT_OFFSET);
    if (header.isPlainChunk()) header.rawBodyLength = header.bodyLength;
    if (header.count < 1 || header.firstSeq < 1 || header.bodyLength < 0
        || header.rawBodyLength < (long) header.count * LINE_RECORD_BYTES
        || header.bodyLength > MAX_CHUNK_BYTES - BLOCK_HEADER_BYTES
        || (!header.isPlainChunk() && header.rawBodyLength > MAX_BLOCK_RAW_BYTES)) {
      throw corrupt(position, "implausible header (count " + header.count + ", body " + header.bodyLength + ")");
    }
    if (header.endPosition() > end) throw corrupt(position, "cut short inside the body");
  }

  /**
   * Loads the whole chunk or block, verifies its CRC, decodes a block's body, checks the line lengths, and
   * returns the offset of the body in {@link #bodyBytes()}.
   */
  int loadBody(ChunkHeader header) throws IOException {
    int at = load(header.position, (int) header.totalBytes());
    crc.reset();
    crc.update(window.array(), at + CRC_START, (int) header.totalBytes() - CRC_START);
    if ((int) crc.getValue() != header.crc) throw corrupt(header.position, "CRC mismatch");
    int body = at + header.headerBytes;
    body = decode(header, body);
    long textBytes = header.rawBodyLength - (long) header.count * LINE_RECORD_BYTES;
    long sum = 0;
    for (int i = 0; i < header.count; i++) {
      int length = this.body.getInt(body + i * LINE_RECORD_BYTES + RECORD_LENGTH_OFFSET);
      if (length < 0) throw corrupt(header.position, "negative line length");
      sum += length;
    }
    if (sum != textBytes) throw corrupt(header.position, "line lengths do not add up to the body");
    return body;
  }

  /**
   * After a damaged chunk: the position of the next chunk from {@code from} on that checks out whole (magic,
   * header, CRC) and starts at or above {@code minSeq}, left decoded in {@code header}; -1 when none does (the
   * damage runs to the end: a torn tail). Text that happens to contain the magic cannot pass the CRC.
   */
  long findNext(long from, long minSeq, ChunkHeader header) throws IOException {
    long p = from;
    while (end - p >= HEADER_BYTES) {
      int length = (int) Math.min(BLOCK_BYTES, end - p);
      int at = load(p, length);
      int found = -1;
      for (int i = 0; i + 4 <= length; i++) {
        int word = window.getInt(at + i);
        if (word == MAGIC || word == BLOCK_MAGIC) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        p += Math.max(1, length - 3);
        continue;
      }
      long candidate = p + found;
      try {
        readHeader(candidate, header);
        if (header.firstSeq >= minSeq) {
          loadBody(header);
          return candidate;
        }
      } catch (CorruptChunkException e) {
        // not a chunk after all: look on
      }
      p = candidate + 1;
    }
    return -1;
  }

  /** The bytes loaded last; valid until the next call. */
  ByteBuffer window() {
    return window;
  }

  /** Where the body of the chunk or block loaded last is; valid until the next call. Offsets come from {@link #loadBody}. */
  ByteBuffer bodyBytes() {
    return body;
  }

  /** Leaves the body in {@link #body}: in the window for a chunk or a block stored as is, else decompressed. */
  private int decode(ChunkHeader header, int payload) throws CorruptChunkException {
    if (header.codec == CODEC_NONE || header.isPlainChunk()) {
      body = window;
      if (header.codec == CODEC_NONE && header.bodyLength != header.rawBodyLength) {
        throw corrupt(header.position, "stored block of " + header.bodyLength + " bytes claims " + header.rawBodyLength);
      }
      return payload;
    }
    if (decoded.capacity() < header.rawBodyLength) decoded = ByteBuffer.allocate(header.rawBodyLength);
    int recordBytes = header.count * LINE_RECORD_BYTES; // no more than rawBodyLength: readHeader checked
    if (columns.length < recordBytes) columns = new byte[Math.max(recordBytes, 2 * columns.length)];
    long n;
    try {
      n = Zstd.decompressByteArray(decoded.array(), 0, header.rawBodyLength, window.array(), payload, header.bodyLength);
    } catch (RuntimeException e) {
      throw corrupt(header.position, "does not decompress: " + e.getMessage());
    }
    if (n != header.rawBodyLength) throw corrupt(header.position, "decompressed to " + n + " bytes, not " + header.rawBodyLength);
    BlockWriter.recordsInPlace(decoded.array(), header.count, header.codec, columns);
    body = decoded;
    return 0;
  }

  /** Makes file bytes {@code position .. position+length} available and returns their offset in the window. */
  private int load(long position, int length) throws IOException {
    if (position >= windowStart && position + length <= windowStart + windowLength) {
      return (int) (position - windowStart);
    }
    int want = (int) Math.min(Math.max(length, BLOCK_BYTES), end - position);
    if (window.capacity() < want) window = ByteBuffer.allocate(want);
    window.clear().limit(want);
    long at = position;
    while (window.hasRemaining()) {
      int n = channel.read(window, at);
      if (n < 0) break;
      at += n;
    }
    windowStart = position;
    windowLength = window.position();
    if (windowLength < length) throw corrupt(position, "file ends early");
    return 0;
  }

  private static CorruptChunkException corrupt(long position, String why) {
    return new CorruptChunkException("chunk at byte " + position + ": " + why);
  }
}
