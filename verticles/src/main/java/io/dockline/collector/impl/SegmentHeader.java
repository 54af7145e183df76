package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The first bytes of a segment file, from format version 2 on; a version-1 file has no header and starts
 * with its first chunk. Big-endian:
 * <pre>
 *  0  int   MAGIC
 *  4  short version
 *  6  short flags: {@link #FLAG_TRIMMED} baseSeq is where the container's lines end when the file holds
 *           none (a purge took them all); {@link #FLAG_BLOCKS} the file is sealed and compacted into blocks
 *  8  long  baseSeq: every line of the file has a seq above it
 * 16  12 bytes reserved (0), for what later versions add
 * 28  int   CRC32C of bytes 0..27
 * </pre>
 */
final class SegmentHeader {
  static final int MAGIC = 0x444B4C53; // "DKLS"
  static final int VERSION = 2;
  static final int BYTES = 32;
  static final int FLAG_TRIMMED = 1;
  static final int FLAG_BLOCKS = 2;
  private static final int CRC_OFFSET = 28;

  final int version;
  final int flags;
  final long baseSeq;
  /** Where the first chunk or block starts. */
  final int dataStart;
  /** The header is there but does not check out; its fields are guesses. */
  final boolean damaged;

  private SegmentHeader(int version, int flags, long baseSeq, int dataStart, boolean damaged) {
    this.version = version;
    this.flags = flags;
    this.baseSeq = baseSeq;
    this.dataStart = dataStart;
    this.damaged = damaged;
  }

  boolean has(int flag) { return (flags & flag) != 0; }

  static ByteBuffer encode(int flags, long baseSeq) {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    b.putInt(MAGIC).putShort((short) VERSION).putShort((short) flags).putLong(baseSeq);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, CRC_OFFSET);
    b.putInt(CRC_OFFSET, (int) crc.getValue());
    return b.clear();
  }

  /**
   * Reads the header of a segment named after {@code nameSeq}. A file without one (version 1, or empty) and a
   * damaged one are told apart by {@link #damaged}: a damaged header never stops a read, whose chunks carry
   * their own checks.
   *
   * @throws IOException if the file was written by a newer format version, which this code cannot read
   */
  static SegmentHeader read(FileChannel channel, long nameSeq) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    while (b.hasRemaining()) {
      if (channel.read(b, b.position()) < 0) break;
    }
    int length = b.position();
    if (length < 4 || b.getInt(0) == ChunkFormat.MAGIC) return new SegmentHeader(1, 0, nameSeq - 1, 0, false);
    if (b.getInt(0) != MAGIC) return new SegmentHeader(1, 0, nameSeq - 1, 0, true);
    if (length < BYTES) return new SegmentHeader(VERSION, 0, nameSeq - 1, BYTES, true);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, CRC_OFFSET);
    if ((int) crc.getValue() != b.getInt(CRC_OFFSET)) return new SegmentHeader(VERSION, 0, nameSeq - 1, BYTES, true);
    int version = b.getShort(4);
    if (version > VERSION) {
      throw new IOException("segment written by a newer dockline (format version " + version + ", this one reads up to "
          + VERSION + ")");
    }
    return new SegmentHeader(version, b.getShort(6), b.getLong(8), BYTES, false);
  }
}
