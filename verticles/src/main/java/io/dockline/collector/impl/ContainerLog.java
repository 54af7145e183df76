package io.dockline.collector.impl;

import io.dockline.collector.AppendResult;
import io.dockline.collector.ContainerSummary;
import io.dockline.collector.SequenceGapException;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One container's lines: sealed segments, which are only read, and the active segment, which takes
 * appends. Seqs are contiguous inside a segment. A hole (lines a stream wrote while another collector owned
 * it) only ever falls between segments: the segment before it is sealed and the next one starts after it,
 * so a segment is still found by its name alone and a read that starts in a hole resumes at the next one.
 */
final class ContainerLog {
  private static final System.Logger LOG = System.getLogger(ContainerLog.class.getName());
  private static final int SEALED_INDEXES_KEPT = 8;

  private final String id;
  private final byte[] idBytes;
  private final Path dir;
  private ContainerMeta meta;
  /** First seq to byte size of every segment before the active one. */
  private final TreeMap<Long, Long> sealedSegments;
  private long sealedBytes;
  /**
   * Chunk indexes of recently read or sealed segments, so paging through history does not walk a
   * segment's headers from byte 0 on every read. Bounded: a few KiB each.
   */
  private final Map<Long, SparseChunkIndex> sealedIndexes = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, SparseChunkIndex> eldest) {
      return size() > SEALED_INDEXES_KEPT;
    }
  };
  /** Null while the container holds no line. */
  private SegmentWriter active;
  private final Fsync fsync;
  private long lastSeq;
  private boolean metaUnsynced;
  private boolean dirUnsynced;

  private ContainerLog(String id, Path dir, ContainerMeta meta, TreeMap<Long, Long> sealedSegments,
                       SegmentWriter active, long lastSeq, Fsync fsync) {
    this.id = id;
    this.fsync = fsync;
    this.idBytes = WriteAheadLog.idBytes(id);
    this.dir = dir;
    this.meta = meta;
    this.sealedSegments = sealedSegments;
    this.active = active;
    this.lastSeq = lastSeq;
    for (long bytes : sealedSegments.values()) sealedBytes += bytes;
  }

  /** A container seen for the first time: its directory is created, meta.json comes with the first append. */
  static ContainerLog create(Path root, String id, Fsync fsync) throws IOException {
    Path dir = Files.createDirectories(root.resolve(id));
    ContainerLog log = new ContainerLog(id, dir, null, new TreeMap<>(), null, 0, fsync);
    log.dirUnsynced = true;
    return log;
  }

  /**
   * Reopens a container directory: lists segment names, scans only the last segment and truncates a torn
   * tail off it. Empty when the directory holds neither meta.json nor a segment.
   */
  static Optional<ContainerLog> recover(Path dir, String id, ChunkReader reader, Fsync fsync) throws IOException {
    Optional<ContainerMeta> storedMeta = MetaFile.read(dir, id);
    TreeMap<Long, Path> segments = listSegments(dir);
    if (storedMeta.isEmpty() && segments.isEmpty()) return Optional.empty();
    ContainerMeta meta = storedMeta.orElseGet(() -> new ContainerMeta(id, null, null, null, null));

    SegmentWriter active = null;
    long lastSeq = 0;
    boolean dirUnsynced = false;
    while (!segments.isEmpty() && active == null) {
      Map.Entry<Long, Path> last = segments.pollLastEntry();
      FileChannel channel = FileChannel.open(last.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        SegmentScan scan = SegmentScan.of(channel, last.getKey(), reader);
        boolean truncated = scan.validEnd() < channel.size();
        if (truncated) {
          LOG.log(System.Logger.Level.WARNING, "container " + id + ": cutting " + (channel.size() - scan.validEnd())
              + " bytes off the end of " + last.getValue().getFileName() + " (" + scan.problem() + ")");
          channel.truncate(scan.validEnd());
        }
        if (scan.validEnd() == 0) {
          // Nothing valid (a crash right after rotation): drop it and continue the segment before it.
          channel.close();
          Files.delete(last.getValue());
          dirUnsynced = true;
          continue;
        }
        // unsynced: its tail may be in the page cache only, made durable by the write-ahead log the open
        // is about to drop, so the open forces it
        active = SegmentWriter.resume(last.getKey(), last.getValue(), channel, scan.validEnd(), scan.index(), true,
            fsync);
        lastSeq = scan.lastSeq();
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }
    TreeMap<Long, Long> sealed = new TreeMap<>();
    for (Map.Entry<Long, Path> segment : segments.entrySet()) {
      sealed.put(segment.getKey(), Files.size(segment.getValue()));
    }
    ContainerLog log = new ContainerLog(id, dir, meta, sealed, active, lastSeq, fsync);
    log.dirUnsynced = dirUnsynced;
    return Optional.of(log);
  }

  String id() { return id; }

  /** The stored meta, or one of just the id before the first append has set it. */
  ContainerMeta meta() {
    return meta != null ? meta : new ContainerMeta(id, null, null, null, null);
  }

  long lastSeq() { return lastSeq; }

  long firstSeq() {
    if (lastSeq == 0) return 0;
    if (!sealedSegments.isEmpty()) return sealedSegments.firstKey();
    return active == null ? 0 : active.firstSeq();
  }

  ContainerSummary summary() {
    long first = firstSeq();
    long lines = lastSeq == 0 ? 0 : lastSeq - first + 1;
    long bytes = sealedBytes + (active == null ? 0 : active.size());
    return new ContainerSummary(meta(), first, lastSeq, lines, bytes);
  }

  /**
   * Refuses a gap before touching anything, then records a changed meta and writes the lines not yet
   * held as one chunk. A batch that starts after lastSeq + 1 is a gap unless the sender vouches that every
   * line before it is stored (here or on another collector): {@code storedThrough >= firstSeq - 1}.
   */
  AppendResult append(LineBatch batch, long storedThrough, ChunkEncoder encoder, long segmentBytes)
      throws IOException {
    int count = batch.count();
    boolean hole = count > 0 && batch.firstSeq() > lastSeq + 1;
    if (hole && storedThrough < batch.firstSeq() - 1) {
      throw new SequenceGapException(id, lastSeq + 1, batch.firstSeq());
    }
    updateMeta(batch.container());
    int duplicates = (int) Math.min(count, Math.max(0, lastSeq - batch.firstSeq() + 1));
    if (duplicates == count) return new AppendResult(0, duplicates, lastSeq);

    long chunkFirstSeq = batch.firstSeq() + duplicates;
    // Encoded first: a batch too large for a chunk must fail before a segment file is created for it.
    ByteBuffer chunk = encoder.encode(batch, duplicates, idBytes);
    writerFor(chunkFirstSeq, hole && lastSeq > 0, segmentBytes).append(chunk, chunkFirstSeq);
    encoder.keep();
    lastSeq = batch.lastSeq();
    return new AppendResult(count - duplicates, duplicates, lastSeq);
  }

  /**
   * Writes a chunk found in the write-ahead log again, unless this container already holds its lines.
   * Chunks are logged exactly as appended, so one either lies wholly at or below lastSeq or wholly above it.
   */
  boolean replay(ByteBuffer chunk, long chunkFirstSeq, long chunkLastSeq, long segmentBytes) throws IOException {
    if (chunkLastSeq <= lastSeq) return false;
    if (chunkFirstSeq <= lastSeq) {
      throw new CorruptChunkException("container " + id + ": write-ahead log holds seqs " + chunkFirstSeq + ".."
          + chunkLastSeq + " but the segments end inside them, at " + lastSeq);
    }
    writerFor(chunkFirstSeq, chunkFirstSeq > lastSeq + 1 && lastSeq > 0, segmentBytes).append(chunk, chunkFirstSeq);
    lastSeq = chunkLastSeq;
    return true;
  }

  /** Forces what this container wrote since the last sync: segment data, then {@link #syncMetadata()}. */
  void sync() throws IOException {
    forceSegment();
    syncMetadata();
  }

  /** Forces the active segment's data alone. */
  void forceSegment() throws IOException {
    if (active != null) active.force();
  }

  /** Forces meta.json and the directory's entries (new segments, a renamed meta.json) if they changed. */
  void syncMetadata() throws IOException {
    if (metaUnsynced) {
      fsync.file(dir.resolve(MetaFile.NAME));
      metaUnsynced = false;
    }
    if (dirUnsynced) {
      fsync.directory(dir);
      dirUnsynced = false;
    }
  }

  LineBatch read(long afterSeq, int limit, int maxBytes, ChunkReader reader) throws IOException {
    if (limit <= 0 || lastSeq == 0 || afterSeq >= lastSeq) {
      return LineCollector.empty(meta(), LineCollector.seqAfter(afterSeq));
    }
    long from = Math.max(afterSeq + 1, firstSeq());
    LineCollector out = new LineCollector(from, limit, maxBytes);
    if (from < active.firstSeq()) {
      // Start in the sealed segment named at or below `from`, then move on through later ones.
      for (Map.Entry<Long, Long> segment : sealedSegments.tailMap(sealedSegments.floorKey(from), true).entrySet()) {
        if (!continuesAt(segment.getKey(), out)) return out.toBatch(meta());
        SparseChunkIndex index = sealedIndexes.computeIfAbsent(segment.getKey(), k -> new SparseChunkIndex());
        try (FileChannel channel = FileChannel.open(dir.resolve(SegmentNames.of(segment.getKey())),
            StandardOpenOption.READ)) {
          readSegment(channel, segment.getValue(), index, out, reader);
        }
        if (out.full()) break;
      }
    }
    if (!out.full() && continuesAt(active.firstSeq(), out)) {
      readSegment(active.channel(), active.size(), active.index(), out, reader);
    }
    return out.toBatch(meta());
  }

  void close() throws IOException {
    if (active != null) active.close();
  }

  /**
   * Whether reading goes on into a segment starting at {@code segmentFirstSeq}: a read answers contiguous
   * lines, so it stops before a hole, unless nothing was taken yet, in which case it starts after the hole.
   */
  private static boolean continuesAt(long segmentFirstSeq, LineCollector out) {
    if (segmentFirstSeq <= out.nextSeq()) return true;
    if (!out.isEmpty()) return false;
    out.skipTo(segmentFirstSeq);
    return true;
  }

  private void updateMeta(ContainerMeta newMeta) throws IOException {
    if (newMeta.equals(meta)) return;
    MetaFile.write(dir, newMeta);
    meta = newMeta;
    metaUnsynced = true;
    dirUnsynced = true;
  }

  /**
   * The segment to append a chunk starting at {@code chunkFirstSeq} to. A full segment is forced before
   * the next one exists: recovery trusts every segment but the last, which only holds if an earlier one
   * can never lose its tail while a later one survives a crash. That is one fsync per segmentBytes.
   */
  private SegmentWriter writerFor(long chunkFirstSeq, boolean afterHole, long segmentBytes) throws IOException {
    if (active != null && active.size() == 0 && active.firstSeq() != chunkFirstSeq) {
      // Only while the container holds no line (after that the next seq is fixed): a first write failed
      // and the retry starts at another seq, so the empty file's name would lie about its content.
      active.close();
      Files.delete(dir.resolve(SegmentNames.of(active.firstSeq())));
      active = null;
    }
    if (active == null) {
      active = SegmentWriter.create(dir, chunkFirstSeq, fsync);
      dirUnsynced = true;
    } else if (active.size() >= segmentBytes || afterHole) {
      active.force();
      SegmentWriter next = SegmentWriter.create(dir, chunkFirstSeq, fsync);
      active.close();
      sealedSegments.put(active.firstSeq(), active.size());
      sealedBytes += active.size();
      sealedIndexes.put(active.firstSeq(), active.index());
      active = next;
      dirUnsynced = true;
    }
    return active;
  }

  /**
   * Starts at the indexed chunk nearest before the wanted seq, skips chunks that end before it by their
   * header alone, then collects lines. Headers walked past are added to the index for later reads.
   */
  private static void readSegment(FileChannel channel, long end, SparseChunkIndex index, LineCollector out,
                                  ChunkReader reader) throws IOException {
    ChunkHeader header = new ChunkHeader();
    reader.attach(channel, end);
    try {
      long position = index.positionAtOrBefore(out.nextSeq());
      for (; position < end && !out.full(); position = header.endPosition()) {
        reader.readHeader(position, header);
        index.chunkAt(header.firstSeq, position);
        if (header.lastSeq() < out.nextSeq()) continue;
        if (header.firstSeq > out.nextSeq()) {
          throw new CorruptChunkException("chunk at byte " + position + " starts at seq " + header.firstSeq
              + " but seq " + out.nextSeq() + " was expected");
        }
        int body = reader.loadBody(header);
        out.takeFrom(reader.window(), body, header);
      }
    } finally {
      reader.detach();
    }
  }

  private static TreeMap<Long, Path> listSegments(Path dir) throws IOException {
    TreeMap<Long, Path> segments = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SegmentNames.SUFFIX)) {
      for (Path file : files) {
        long firstSeq = SegmentNames.firstSeqOf(file.getFileName().toString());
        if (firstSeq > 0) segments.put(firstSeq, file);
      }
    }
    return segments;
  }
}
