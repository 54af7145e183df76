package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Visits every valid chunk of a segment in file order, skipping damaged ones (holes). */
final class ChunkWalk {
  interface Visitor {
    /** A verified chunk whose body starts at {@code body} in {@code bytes} (valid during the call). */
    void chunk(ChunkHeader header, ByteBuffer bytes, int body) throws IOException;
  }

  interface Damage {
    void at(long position, String why);
  }

  private ChunkWalk() {}

  static void walk(FileChannel channel, long start, long end, ChunkReader reader, Damage damage, Visitor visitor)
      throws IOException {
    ChunkHeader header = new ChunkHeader();
    reader.attach(channel, end);
    try {
      long position = start;
      while (position < end) {
        int body;
        try {
          reader.readHeader(position, header);
          body = reader.loadBody(header);
        } catch (CorruptChunkException e) {
          damage.at(position, e.getMessage());
          long next = reader.findNext(position + 1, 0, header);
          if (next < 0) return;
          position = next;
          body = reader.loadBody(header);
        }
        visitor.chunk(header, reader.bodyBytes(), body);
        position = header.endPosition();
      }
    } finally {
      reader.detach();
    }
  }
}
