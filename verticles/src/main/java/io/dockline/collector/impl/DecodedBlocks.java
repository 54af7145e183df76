package io.dockline.collector.impl;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compressed blocks a time-ordered scan decoded lately, kept decoded: each page of a search across containers
 * starts inside the blocks the page before ended in, one per container, and would decompress them again. At
 * most {@code capacity} bytes of decoded bodies, least recently used out first; shared by the reading threads.
 * A block is known by its segment (a rewrite makes a new {@link SealedSegment}, so a stale body is never found)
 * and its position.
 */
final class DecodedBlocks {
  /** A block's decoded body as a chunk lays it out (records, then text) from offset 0. */
  record Block(long firstSeq, int count, byte[] body) {}

  private record Key(SealedSegment segment, long position) {}

  private final long capacity;
  private final LinkedHashMap<Key, Block> blocks = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  DecodedBlocks(long capacity) {
    this.capacity = capacity;
  }

  synchronized Block get(SealedSegment segment, long position) {
    return blocks.get(new Key(segment, position));
  }

  synchronized void put(SealedSegment segment, long position, Block block) {
    if (block.body().length > capacity) return;
    Block old = blocks.put(new Key(segment, position), block);
    bytes += block.body().length - (old == null ? 0 : old.body().length);
    Iterator<Map.Entry<Key, Block>> eldest = blocks.entrySet().iterator();
    while (bytes > capacity && eldest.hasNext()) {
      bytes -= eldest.next().getValue().body().length;
      eldest.remove();
    }
  }

  synchronized long bytes() { return bytes; }
}
