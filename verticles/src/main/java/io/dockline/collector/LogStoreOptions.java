package io.dockline.collector;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Tuning of a {@link LogStore}; fluent setters, defaults suit production. */
public final class LogStoreOptions {
  public static final long DEFAULT_SEGMENT_BYTES = 16L << 20;
  public static final int DEFAULT_MAX_READ_BYTES = 8 << 20;
  public static final long DEFAULT_LOG_BYTES = 64L << 20;
  public static final java.time.Duration DEFAULT_SEAL_AFTER = java.time.Duration.ofHours(1);
  public static final java.time.Duration DEFAULT_CLOSE_IDLE_AFTER = java.time.Duration.ofSeconds(60);

  private long segmentBytes = DEFAULT_SEGMENT_BYTES;
  private int maxReadBytes = DEFAULT_MAX_READ_BYTES;
  private long scanCacheBytes = 32 << 20;
  private long logBytes = DEFAULT_LOG_BYTES;
  private Force force = Force.DISK;
  private java.time.Duration sealAfter = DEFAULT_SEAL_AFTER;
  private java.time.Duration closeIdleAfter = DEFAULT_CLOSE_IDLE_AFTER;
  private Compression compression = Compression.ZSTD;
  private boolean writeAround;
  private java.util.concurrent.ThreadFactory compactionThreads = r -> {
    Thread t = new Thread(r, "dockline-store-compactor");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    return t;
  };

  /**
   * How sealed segments are stored. Either way a store reads what the other wrote: segments are only ever
   * compacted in the background, after they are sealed, never on the path that acknowledges lines.
   */
  public enum Compression {
    /** Sealed segments are rewritten into zstd-compressed blocks of about 1 MiB of lines. */
    ZSTD,
    /** Sealed segments stay as written. */
    NONE
  }

  /**
   * How the store makes a file or directory durable. Every acknowledgement rests on it, so it is a seam:
   * tests watch it (what the disk holds at each force) or make it fail.
   */
  @FunctionalInterface
  public interface Force {
    /** {@link FileChannel#force}: what the kernel has written is on the disk when this returns. */
    Force DISK = (channel, path, metadata) -> channel.force(metadata);

    void force(FileChannel channel, Path path, boolean metadata) throws IOException;
  }

  /** A container's current segment is closed and a new one started once it holds this many bytes. */
  public long segmentBytes() { return segmentBytes; }

  public LogStoreOptions segmentBytes(long segmentBytes) {
    if (segmentBytes < 1) throw new IllegalArgumentException("segmentBytes must be positive: " + segmentBytes);
    this.segmentBytes = segmentBytes;
    return this;
  }

  /**
   * A read stops adding lines once their text would pass this many bytes (but returns at least one
   * line), so a read of many huge lines cannot exhaust the heap; callers page on by seq anyway.
   */
  public int maxReadBytes() { return maxReadBytes; }

  public LogStoreOptions maxReadBytes(int maxReadBytes) {
    if (maxReadBytes < 1) throw new IllegalArgumentException("maxReadBytes must be positive: " + maxReadBytes);
    this.maxReadBytes = maxReadBytes;
    return this;
  }

  /**
   * Bytes of decoded blocks kept for scans across containers (a search's next page starts inside the blocks
   * the last one ended in, one per container, and does not decompress them again); 0 keeps none. Memory.
   */
  public long scanCacheBytes() { return scanCacheBytes; }

  public LogStoreOptions scanCacheBytes(long scanCacheBytes) {
    if (scanCacheBytes < 0) throw new IllegalArgumentException("scanCacheBytes must not be negative: " + scanCacheBytes);
    this.scanCacheBytes = scanCacheBytes;
    return this;
  }

  /**
   * The shared write-ahead log starts over once it holds this many bytes, after forcing every segment it
   * covered: this bounds its disk use and what an open after a crash replays.
   */
  public long logBytes() { return logBytes; }

  public LogStoreOptions logBytes(long logBytes) {
    if (logBytes < 1) throw new IllegalArgumentException("logBytes must be positive: " + logBytes);
    this.logBytes = logBytes;
    return this;
  }

  /**
   * {@link LogStore#retain} seals a container's current segment once its writing started this long ago, so
   * a quiet or removed container's lines can age out (only sealed segments are ever deleted).
   */
  public java.time.Duration sealAfter() { return sealAfter; }

  public LogStoreOptions sealAfter(java.time.Duration sealAfter) {
    if (sealAfter.isNegative()) throw new IllegalArgumentException("sealAfter must not be negative: " + sealAfter);
    this.sealAfter = sealAfter;
    return this;
  }

  /**
   * A container's current segment file is closed (forced first) once no line came for this long, and reopened
   * by its next append, so open files follow the containers writing now, not every one that wrote before its
   * segment seals ({@link #sealAfter()}). Checked at each {@link LogStore#sync} and {@link LogStore#retain}.
   */
  public java.time.Duration closeIdleAfter() { return closeIdleAfter; }

  public LogStoreOptions closeIdleAfter(java.time.Duration closeIdleAfter) {
    if (closeIdleAfter.isNegative()) {
      throw new IllegalArgumentException("closeIdleAfter must not be negative: " + closeIdleAfter);
    }
    this.closeIdleAfter = closeIdleAfter;
    return this;
  }

  /**
   * Whether the current segments are written around the page cache ({@code O_DIRECT}, where the file system
   * allows it; see {@code impl.DirectWrites}). It saves the copy into the page cache, and on a virtual machine
   * the host's work for every new page: worth it when nothing reads lines back soon after they are written.
   * A compacting store reads each sealed segment back, and a Kafka publisher every line, so the node writes
   * around the cache only without both. While a segment is being written its file may end in up to a block of
   * zeros past its last line.
   */
  public boolean writeAround() { return writeAround; }

  public LogStoreOptions writeAround(boolean writeAround) {
    this.writeAround = writeAround;
    return this;
  }

  public Compression compression() { return compression; }

  public LogStoreOptions compression(Compression compression) {
    this.compression = java.util.Objects.requireNonNull(compression, "compression");
    return this;
  }

  /**
   * Makes the one thread that compacts sealed segments: a collector passes one that runs at
   * {@code background-priority}.
   */
  public java.util.concurrent.ThreadFactory compactionThreads() { return compactionThreads; }

  public LogStoreOptions compactionThreads(java.util.concurrent.ThreadFactory compactionThreads) {
    this.compactionThreads = java.util.Objects.requireNonNull(compactionThreads, "compactionThreads");
    return this;
  }

  public Force force() { return force; }

  public LogStoreOptions force(Force force) {
    this.force = java.util.Objects.requireNonNull(force, "force");
    return this;
  }
}
