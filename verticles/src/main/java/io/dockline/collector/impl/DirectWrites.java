package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends with {@code O_DIRECT}, around the page cache: to the write-ahead log, which only recovery reads, and
 * to current segments when nothing reads them back soon ({@code LogStoreOptions.writeAround}). A buffered
 * write copies every byte into a page-cache page; on a virtual machine whose host backs guest memory on first
 * touch and takes freed memory back (free page reporting), a new page costs the guest about 2 ns a byte, as
 * much CPU as everything else a line costs (bench/RESULTS.md). What reads such a file reads it through a
 * buffered channel as before (the kernel keeps the two coherent).
 *
 * <p>A direct write covers whole blocks, so each append writes the file's last partial block again (its
 * bytes are kept here) with the new bytes and zeros to the block's end: acknowledged bytes are written again
 * unchanged, and while a file is written it may end in up to a block of zeros past its logical end, which
 * {@link Appender#cut} cuts and recovery takes for a torn tail. One per store: its aligned buffer serves
 * every file, so it is the writer thread's alone.
 */
final class DirectWrites {
  private static final System.Logger LOG = System.getLogger(DirectWrites.class.getName());
  /** The aligned buffer a write goes through, in pieces of this size at most: native memory, bounded. */
  private static final int BUFFER_BYTES = 1 << 20;
  private ByteBuffer buffer;
  /** What pads a write to its block's end. */
  private byte[] zeros;
  /** The file system's block, learnt at the first open: a store's files are on one file system. */
  private int block;
  private boolean refused;

  /**
   * The direct appender of the segment file at {@code path} whose logical end is {@code end}, reading its
   * last partial block through {@code buffered}; null when the file system refuses {@code O_DIRECT} (tmpfs),
   * and from then on for this store: the caller writes through the page cache.
   */
  Appender open(Path path, FileChannel buffered, long end) throws IOException {
    if (refused) return null;
    FileChannel channel;
    try {
      // once: finding a path's file store reads the mount table
      if (block == 0) block = (int) Files.getFileStore(path).getBlockSize();
      channel = FileChannel.open(path, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
      if (zeros == null) zeros = new byte[block];
    } catch (IOException | UnsupportedOperationException e) {
      refused = true;
      LOG.log(System.Logger.Level.INFO, "segments are written through the page cache: the file system of " + path
          + " refuses O_DIRECT (" + e + ")");
      return null;
    }
    Appender a = new Appender(channel, block);
    try {
      a.readTail(buffered, end);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return a;
  }

  /** False once the file system refused {@code O_DIRECT}: segments are written through the page cache. */
  boolean usable() {
    return !refused;
  }

  private ByteBuffer buffer() {
    if (buffer == null) buffer = ByteBuffer.allocateDirect(BUFFER_BYTES + block).alignedSlice(block).limit(BUFFER_BYTES);
    return buffer.clear().limit(BUFFER_BYTES);
  }

  /** One segment's direct channel and the bytes of its last partial block. */
  final class Appender implements AutoCloseable {
    private final FileChannel channel;
    private final byte[] tail;
    private int tailLen;
    /** The logical end the file was last cut to or written to; a close cuts the padding past it. */
    private long end;
    private boolean padded;

    private Appender(FileChannel channel, int block) {
      this.channel = channel;
      this.tail = new byte[block];
    }

    private void readTail(FileChannel buffered, long end) throws IOException {
      this.end = end;
      tailLen = (int) (end % tail.length);
      ByteBuffer t = ByteBuffer.wrap(tail, 0, tailLen);
      long p = end - tailLen;
      while (t.hasRemaining()) {
        int n = buffered.read(t, p + t.position());
        if (n < 0) throw new IOException("segment shorter than its end " + end);
      }
    }

    /**
     * Writes all of {@code bytes} at {@code end} (the logical end), whole or not at all: a failed write is cut
     * off again. Returns the new logical end.
     */
    long write(ByteBuffer bytes, long end) throws IOException {
      if (end != this.end) throw new IllegalStateException("append at " + end + ", the file ends at " + this.end);
      long newEnd = end + bytes.remaining();
      long position = end - tailLen;
      ByteBuffer out = buffer().put(tail, 0, tailLen);
      padded = true;
      // whole buffers while more follows (the buffer's size is a multiple of the block), then the last piece
      while (bytes.remaining() > out.remaining()) {
        int n = out.remaining();
        out.put(bytes.slice(bytes.position(), n));
        bytes.position(bytes.position() + n);
        position = FileAppend.write(channel, out.flip(), position, end);
        out = buffer();
      }
      out.put(bytes);
      int used = out.position();
      out.put(zeros, 0, (tail.length - used % tail.length) % tail.length);
      if (out.position() > 0) FileAppend.write(channel, out.flip(), position, end);
      // the new last partial block, kept only once written: a failed write leaves the old one
      int newTail = used % tail.length;
      out.get(used - newTail, tail, 0, newTail);
      tailLen = newTail;
      this.end = newEnd;
      return newEnd;
    }

    FileChannel channel() {
      return channel;
    }

    /** Cuts the zeros past the logical end; whether there were any. */
    boolean cut() throws IOException {
      if (!padded) return false;
      channel.truncate(end);
      padded = false;
      return true;
    }

    /** Cuts the zeros past the logical end, then closes the direct channel. */
    @Override
    public void close() throws IOException {
      try {
        cut();
      } finally {
        channel.close();
      }
    }
  }
}
