package io.dockline.collector.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The store's shared write-ahead log, {@code <root>/.wal/<number>.wal}: a group of appends to many
 * containers is made durable by one sequential write and one fdatasync here, instead of one fsync per
 * container segment. The segments are written at once (reads see them) but forced only at a checkpoint,
 * when the log has grown past its limit, after which the log starts over. On open, records whose lines are
 * missing from a segment (it lost its unforced tail in a crash) are written to it again. Nothing reads the log
 * but recovery, so it is written around the page cache where the file system allows it ({@link DirectWrites}):
 * a file may end in up to a block of zeros past its last record, which replay stops at as at a torn tail.
 *
 * <p>A record is a header, the container id, then the chunk exactly as the segment holds it (it carries its
 * own CRC):
 * <pre>
 *  0  int   RECORD_MAGIC
 *  4  int   id length (1..255)
 *  8  int   CRC32C of the id bytes
 * 12  id bytes (ASCII), then the chunk
 * </pre>
 */
final class WriteAheadLog implements AutoCloseable {
  static final String DIR = ".wal"; // a container id never starts with '.', so it cannot clash
  static final String SUFFIX = ".wal";
  static final int RECORD_MAGIC = 0x444B4C57; // "DKLW"
  private static final int RECORD_HEADER_BYTES = 12;
  private static final int MAX_ID_BYTES = 255;
  private static final System.Logger LOG = System.getLogger(WriteAheadLog.class.getName());

  /** What replay hands over: one record's chunk, positioned on its bytes. */
  interface Replay {
    void chunk(String containerId, ByteBuffer chunk, long firstSeq, long lastSeq) throws IOException;
  }

  private final Path dir;
  private final Fsync fsync;
  private final DirectWrites writes;
  /** The current file's direct appender; null when written through {@link #channel}. */
  private DirectWrites.Appender direct;
  private long number;
  private FileChannel channel;
  /** The current file's path, named for errors on every force: formatted once per file, not per force. */
  private Path current;
  private volatile long size;

  private WriteAheadLog(Path dir, Fsync fsync, DirectWrites writes) {
    this.dir = dir;
    this.fsync = fsync;
    this.writes = writes;
  }

  static int recordHeaderBytes(byte[] containerId) {
    return RECORD_HEADER_BYTES + containerId.length;
  }

  static void putRecordHeader(ByteBuffer out, byte[] containerId) {
    CRC32C crc = new CRC32C();
    crc.update(containerId);
    out.putInt(RECORD_MAGIC).putInt(containerId.length).putInt((int) crc.getValue()).put(containerId);
  }

  static byte[] idBytes(String containerId) {
    return containerId.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Opens the log under {@code root}, hands every valid record of the files already there to {@code replay}
   * in the order written, and leaves them in place: call {@link #startOver()} once what was replayed is
   * forced.
   */
  static WriteAheadLog open(Path root, Replay replay, Fsync fsync, DirectWrites writes) throws IOException {
    WriteAheadLog wal = new WriteAheadLog(Files.createDirectories(root.resolve(DIR)), fsync, writes);
    TreeMap<Long, Path> files = wal.list();
    ChunkReader reader = new ChunkReader();
    for (Path file : files.values()) wal.replayFile(file, reader, replay);
    wal.number = files.isEmpty() ? 0 : files.lastKey();
    return wal;
  }

  long size() { return size; }

  /** Appends the records at the end of the current file, all or nothing (a failed write is cut off). */
  void append(ByteBuffer records) throws IOException {
    if (direct == null) direct = writes.open(current, channel, size);
    size = direct != null ? direct.write(records, size) : FileAppend.write(channel, records, size);
  }

  /** fdatasync: the size change is forced too, since the file grew. */
  void force() throws IOException {
    fsync.channel(channel, current);
  }

  /**
   * Continues in a new, empty file and deletes the older ones. Only once every segment the log covered is
   * forced: the records are then no longer needed.
   */
  void startOver() throws IOException {
    long next = number + 1;
    Path path = dir.resolve(name(next));
    FileChannel fresh = FileChannel.open(path, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      fsync.directory(dir);
    } catch (IOException e) {
      fresh.close();
      throw e;
    }
    closeCurrent();
    channel = fresh;
    number = next;
    current = path;
    size = 0;
    // Made durable: a deletion a crash undid would replay records of lines retention or a purge removed since.
    boolean deleted = false;
    for (Path old : list().headMap(next).values()) deleted |= Files.deleteIfExists(old);
    if (deleted) fsync.directory(dir);
  }

  @Override
  public void close() throws IOException {
    closeCurrent();
  }

  /** Cuts the zeros past the current file's last record and closes it. */
  private void closeCurrent() throws IOException {
    try {
      if (direct != null) direct.close();
    } finally {
      direct = null;
      if (channel != null) channel.close();
    }
  }

  private TreeMap<Long, Path> list() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : entries) {
        String n = file.getFileName().toString();
        try {
          files.put(Long.parseLong(n.substring(0, n.length() - SUFFIX.length())), file);
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    }
    return files;
  }

  /** Replays records up to the first that is cut short or damaged: where a crash stopped the writing. */
  private void replayFile(Path file, ChunkReader reader, Replay replay) throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long end = in.size();
      long position = 0;
      ByteBuffer head = ByteBuffer.allocate(RECORD_HEADER_BYTES + MAX_ID_BYTES);
      ChunkHeader chunk = new ChunkHeader();
      String problem = null;
      reader.attach(in, end); // once per file: its window then serves many small records per read
      try {
        while (position < end) {
          String id = readRecordHeader(in, position, end, head);
          if (id == null) {
            problem = "bad record header";
            break;
          }
          try {
            reader.readHeader(position + RECORD_HEADER_BYTES + id.length(), chunk);
            if (!chunk.isPlainChunk()) throw new CorruptChunkException("a block where a chunk belongs");
            int body = reader.loadBody(chunk);
            ByteBuffer bytes = reader.window().duplicate();
            bytes.limit(body + chunk.bodyLength).position(body - ChunkFormat.HEADER_BYTES);
            replay.chunk(id, bytes, chunk.firstSeq, chunk.lastSeq());
          } catch (CorruptChunkException e) {
            problem = e.getMessage();
            break;
          }
          position = chunk.endPosition();
        }
      } finally {
        reader.detach();
      }
      if (problem != null) {
        LOG.log(System.Logger.Level.WARNING, "write-ahead log " + file.getFileName() + ": ignoring "
            + (end - position) + " bytes from byte " + position + " (" + problem + "), never acknowledged");
      }
    }
  }

  /** The container id of the record at {@code position}, or null when its header is cut short or damaged. */
  private static String readRecordHeader(FileChannel in, long position, long end, ByteBuffer head)
      throws IOException {
    head.clear().limit((int) Math.min(head.capacity(), end - position));
    while (head.hasRemaining()) {
      if (in.read(head, position + head.position()) < 0) break;
    }
    if (head.position() < RECORD_HEADER_BYTES || head.getInt(0) != RECORD_MAGIC) return null;
    int length = head.getInt(4);
    if (length < 1 || length > MAX_ID_BYTES || head.position() < RECORD_HEADER_BYTES + length) return null;
    CRC32C crc = new CRC32C();
    crc.update(head.array(), RECORD_HEADER_BYTES, length);
    if ((int) crc.getValue() != head.getInt(8)) return null;
    String id = new String(head.array(), RECORD_HEADER_BYTES, length, StandardCharsets.US_ASCII);
    return ContainerIds.isSafe(id) ? id : null;
  }

  private static String name(long number) {
    return String.format("%020d", number) + SUFFIX;
  }
}
