package io.dockline.collector.impl;

/** The decoded fixed part of a chunk or block; one mutable instance is reused while walking a segment. */
final class ChunkHeader {
  long position;
  int headerBytes = ChunkFormat.HEADER_BYTES;
  /** Bytes after the header in the file: a chunk's body, a block's payload. */
  int bodyLength;
  /** Bytes of the body once decoded: a chunk's body length, a block's decompressed length. */
  int rawBodyLength;
  /** {@link ChunkFormat#PLAIN_CHUNK} for a chunk, else the block's codec. */
  byte codec = ChunkFormat.PLAIN_CHUNK;
  int crc;
  long firstSeq;
  int count;

  long lastSeq() { return firstSeq + count - 1; }

  boolean isPlainChunk() { return codec == ChunkFormat.PLAIN_CHUNK; }

  long totalBytes() { return headerBytes + (long) bodyLength; }

  long endPosition() { return position + totalBytes(); }
}
