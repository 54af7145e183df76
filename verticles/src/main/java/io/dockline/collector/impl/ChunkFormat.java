package io.dockline.collector.impl;

/**
 * Layout of one chunk, the unit a segment is made of: one chunk per append. Big-endian.
 *
 * <pre>
 *  0  int   MAGIC
 *  4  int   body length (bytes after the 24-byte header)
 *  8  int   CRC32C of bytes 12 .. end of body (firstSeq, count and the body), so a torn or flipped
 *           header field is caught as well as a torn body
 * 12  long  firstSeq
 * 20  int   count (at least 1)
 * 24  body: count line records of 14 bytes (timeNanos long, stream byte, flags byte (bit 0 partial, bits 1-3 the
 *     LogLevel), length int),
 *           then the text of all lines back to back
 * </pre>
 *
 * Records come before the text so a read copies the text of consecutive lines in one go.
 *
 * <p>A sealed segment is compacted into blocks: many chunks' lines in one unit, its body compressed. A block
 * is read like a chunk (same first fields, its own magic, so either can follow the other in a file):
 * <pre>
 *  0  int   BLOCK_MAGIC
 *  4  int   payload length (bytes after the 29-byte header)
 *  8  int   CRC32C of bytes 12 .. end of payload
 * 12  long  firstSeq
 * 20  int   count
 * 24  byte  codec: CODEC_NONE or CODEC_ZSTD
 * 25  int   length of the body the payload decodes to: a chunk's body layout
 * 29  payload
 * </pre>
 * A CODEC_NONE payload is the body itself. A CODEC_ZSTD payload decompresses to the body's fields by column,
 * which compress far better than records: every line's time as the difference to the line before (long),
 * then the streams, the flags (a byte each), the lengths (int), then the text. A CODEC_ZSTD_PLANES payload (written
 * since; CODEC_ZSTD blocks are still read) is the same but for the numbers' bytes, stored in planes: the time
 * differences as 8 runs of {@code count} bytes (every line's most significant byte first), the lengths as 4 such
 * runs. A plane of zeros (a length's high bytes) costs next to nothing compressed; 4 bytes a line did.
 * Either way the decoded columns take as many bytes as the body's records, so the text keeps its offset.
 */
final class ChunkFormat {
  static final int MAGIC = 0x444B4C43; // "DKLC"
  static final int HEADER_BYTES = 24;
  static final int CRC_OFFSET = 8;
  static final int CRC_START = 12;
  static final int FIRST_SEQ_OFFSET = 12;
  static final int COUNT_OFFSET = 20;

  static final int BLOCK_MAGIC = 0x444B4C5A; // "DKLZ"
  static final int BLOCK_HEADER_BYTES = 29;
  static final int BLOCK_CODEC_OFFSET = 24;
  static final int BLOCK_RAW_LENGTH_OFFSET = 25;
  /** Marks a plain chunk in a decoded header: it has no codec. */
  static final byte PLAIN_CHUNK = -1;
  static final byte CODEC_NONE = 0;
  static final byte CODEC_ZSTD = 1;
  static final byte CODEC_ZSTD_PLANES = 2;
  /** A block's decoded body is at most this large (blocks are written around 1 MiB). */
  static final int MAX_BLOCK_RAW_BYTES = 64 << 20;

  static final int LINE_RECORD_BYTES = 14;
  static final int RECORD_TIME_OFFSET = 0;
  static final int RECORD_STREAM_OFFSET = 8;
  static final int RECORD_FLAGS_OFFSET = 9;
  static final int RECORD_LENGTH_OFFSET = 10;

  /** Leaves headroom below the largest array/buffer the JVM can allocate. */
  static final int MAX_CHUNK_BYTES = Integer.MAX_VALUE - 64;

  private ChunkFormat() {}

  /** Stores the CRC of the chunk at {@code start .. end} of {@code bytes} in its header. */
  static void putCrc(java.nio.ByteBuffer bytes, int start, int end, java.util.zip.CRC32C crc) {
    crc.reset();
    crc.update(bytes.duplicate().limit(end).position(start + CRC_START));
    bytes.putInt(start + CRC_OFFSET, (int) crc.getValue());
  }
}
