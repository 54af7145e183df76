package io.dockline.collector.impl;

/** The decoded fixed part of a chunk; one mutable instance is reused while walking a segment. */
final class ChunkHeader {
  long position;
  int bodyLength;
  int crc;
  long firstSeq;
  int count;

  long lastSeq() { return firstSeq + count - 1; }

  long totalBytes() { return ChunkFormat.HEADER_BYTES + (long) bodyLength; }

  long endPosition() { return position + totalBytes(); }
}
