package io.dockline.attach.impl;

import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * One container's batches on the agent's disk, oldest first: lines read (and numbered) that no collector has
 * acknowledged, kept while no collector takes them and across an agent restart. Frames are
 * {@code [length][crc32c][batch in its wire form]}; a torn last frame (a crash while writing) is cut off when
 * the file is opened. Blocking I/O: called on the agent's ordered worker, never on the event loop.
 */
final class SpoolFile {
  private static final Logger LOG = Logger.getLogger(SpoolFile.class.getName());
  static final String SUFFIX = ".spool";
  private static final LineBatchCodec CODEC = new LineBatchCodec();
  private static final int INITIAL_FRAME_BYTES = 1 << 20;
  /** A frame buffer grown past this for an unusually large batch is dropped afterwards rather than kept. */
  private static final int RETAINED_FRAME_BYTES = 16 << 20;
  private static final ThreadLocal<ByteBuf> FRAME = ThreadLocal.withInitial(() -> Unpooled.buffer(INITIAL_FRAME_BYTES));

  /** Where each batch still in the file starts, and its length; the head is the next to send. */
  private static final class Frame {
    final long position;
    final int length;
    final long lastSeq;

    Frame(long position, int length, long lastSeq) {
      this.position = position;
      this.length = length;
      this.lastSeq = lastSeq;
    }
  }

  private final Path path;
  private FileChannel channel;
  private final ArrayDeque<Frame> frames = new ArrayDeque<>();
  private long end;
  private long bytes;

  private SpoolFile(Path path) {
    this.path = path;
  }

  static Path pathOf(Path dir, String containerId) {
    return dir.resolve(containerId + SUFFIX);
  }

  /** Opens (or creates) the spool and finds the batches it holds; a torn tail is cut off. */
  static SpoolFile open(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    SpoolFile s = new SpoolFile(file);
    s.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    s.scan();
    return s;
  }

  private void scan() throws IOException {
    long size = channel.size();
    long pos = 0;
    ByteBuffer head = ByteBuffer.allocate(8);
    while (pos + 8 <= size) {
      head.clear();
      channel.read(head, pos);
      int length = head.getInt(0);
      int crc = head.getInt(4);
      if (length <= 0 || pos + 8 + length > size) break;
      ByteBuffer body = ByteBuffer.allocate(length);
      channel.read(body, pos + 8);
      if (crc(body.array(), 0, length) != crc) break;
      LineBatch b = CODEC.decodeFromWire(0, Buffer.buffer(body.array()));
      frames.addLast(new Frame(pos, length, b.lastSeq()));
      bytes += 8 + length;
      pos += 8 + length;
    }
    if (pos < size) {
      LOG.warning("spool " + path.getFileName() + ": cutting a torn tail of " + (size - pos) + " bytes");
      channel.truncate(pos);
    }
    end = pos;
  }

  boolean isEmpty() { return frames.isEmpty(); }
  int batches() { return frames.size(); }
  long bytes() { return bytes; }

  /** The last seq spooled, 0 when empty. */
  long lastSeq() {
    return frames.isEmpty() ? 0 : frames.peekLast().lastSeq;
  }

  /** Appends batches after those already held; returns the bytes added. */
  long append(List<LineBatch> batches) throws IOException {
    long added = 0;
    for (LineBatch b : batches) {
      ByteBuffer frame = encodeFrame(b);
      int length = frame.remaining() - 8;
      long position = end;
      while (frame.hasRemaining()) position += channel.write(frame, position);
      frames.addLast(new Frame(end, length, b.lastSeq()));
      end = position;
      added += 8 + length;
    }
    bytes += added;
    return added;
  }

  /**
   * Length, CRC and the batch's wire form, encoded once into a buffer the calling thread (the spool's one
   * thread) reuses, sized up front: a spooled burst costs one copy of its lines, not one per step.
   */
  private static ByteBuffer encodeFrame(LineBatch b) {
    ByteBuf out = FRAME.get();
    if (out.capacity() > RETAINED_FRAME_BYTES) {
      out = Unpooled.buffer(INITIAL_FRAME_BYTES);
      FRAME.set(out);
    }
    out.clear().ensureWritable((int) Math.min(Integer.MAX_VALUE - 64,
        8L + b.dataLength() + 14L * b.count() + 1024));
    out.writeLong(0); // length and CRC, set below
    CODEC.encodeToWire(BufferInternal.buffer(out), b);
    int length = out.writerIndex() - 8;
    out.setInt(0, length).setInt(4, crc(out.array(), out.arrayOffset() + 8, length));
    return ByteBuffer.wrap(out.array(), out.arrayOffset(), out.writerIndex());
  }

  /** Takes the oldest batch out of the spool (null when empty); the file shrinks to nothing once all are out. */
  LineBatch poll() throws IOException {
    Frame f = frames.pollFirst();
    if (f == null) return null;
    ByteBuffer body = ByteBuffer.allocate(f.length);
    while (body.hasRemaining()) channel.read(body, f.position + 8 + body.position());
    bytes -= 8 + f.length;
    if (frames.isEmpty()) {
      channel.truncate(0);
      end = 0;
    }
    return CODEC.decodeFromWire(0, Buffer.buffer(body.array()));
  }

  /**
   * Rewrites the spool as {@code before}, then what it holds, then {@code after}, atomically (a new file
   * renamed over the old): on stop, the batches in flight are older than the spooled ones.
   */
  void rewrite(List<LineBatch> before, List<LineBatch> after) throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    SpoolFile next = new SpoolFile(path);
    next.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    next.append(before);
    LineBatch b;
    while ((b = poll()) != null) next.append(List.of(b));
    next.append(after);
    next.channel.force(true);
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    channel.close();
    channel = next.channel;
    frames.clear();
    frames.addAll(next.frames);
    end = next.end;
    bytes = next.bytes;
  }

  void force() throws IOException {
    channel.force(true);
  }

  /** Closes the file, deleting it when it holds nothing. */
  void close() throws IOException {
    channel.close();
    if (frames.isEmpty()) Files.deleteIfExists(path);
  }

  private static int crc(byte[] bytes, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(bytes, off, len);
    return (int) c.getValue();
  }
}
