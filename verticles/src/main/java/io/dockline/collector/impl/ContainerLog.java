package io.dockline.collector.impl;

import io.dockline.collector.AppendResult;
import io.dockline.collector.ContainerSummary;
import io.dockline.collector.LineSpan;
import io.dockline.collector.LineVisitor;
import io.dockline.collector.SequenceGapException;
import io.dockline.wire.ContainerMeta;
import io.dockline.collector.TextFilter;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineMatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One container's lines: sealed segments, which are only read (and deleted or rewritten whole), and the
 * active segment, which takes appends. Seqs rise through a segment; a hole (lines a stream wrote while another
 * collector owned it) falls between segments: the segment before it is sealed and the next one starts after
 * it, so a segment is found by its name alone and a read that starts in a hole resumes at the next one. A
 * damaged chunk is a hole inside a segment, met by reads as a jump in seqs.
 *
 * <p>Threads: the store's writer thread makes every change, under the write lock; reads from any thread take
 * the read lock, so they see a segment either before or after a change and never wait for a sync.
 */
final class ContainerLog {
  private static final System.Logger LOG = System.getLogger(ContainerLog.class.getName());
  private static final int SEALED_INDEXES_KEPT = 8;
  private static final String REWRITE_SUFFIX = ".tmp";

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final String id;
  private final byte[] idBytes;
  private final Path dir;
  private final Fsync fsync;
  private final CorruptChunks corrupt;
  private volatile ContainerMeta meta;
  /** Every segment before the active one, by the seq in its name. */
  private final TreeMap<Long, SealedSegment> sealed;
  private long sealedBytes;
  /**
   * Chunk indexes of recently read or sealed segments, so paging through history does not walk a
   * segment's headers from its start on every read. Bounded: a few KiB each. Guarded by itself.
   */
  private final Map<Long, SparseChunkIndex> sealedIndexes = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, SparseChunkIndex> eldest) {
      return size() > SEALED_INDEXES_KEPT;
    }
  };
  /** Null while the container holds no line, and after its segment was sealed for its age. */
  private SegmentWriter active;
  private volatile long lastSeq;
  private boolean metaUnsynced;
  private boolean dirUnsynced;
  /** Told of every segment sealed or rewritten plain, to compact it. */
  private Compactor compactor;

  private ContainerLog(String id, Path dir, ContainerMeta meta, TreeMap<Long, SealedSegment> sealed,
                       SegmentWriter active, long lastSeq, Fsync fsync, CorruptChunks corrupt) {
    this.id = id;
    this.fsync = fsync;
    this.corrupt = corrupt;
    this.idBytes = WriteAheadLog.idBytes(id);
    this.dir = dir;
    this.meta = meta;
    this.sealed = sealed;
    this.active = active;
    this.lastSeq = lastSeq;
    for (SealedSegment s : sealed.values()) sealedBytes += s.bytes;
  }

  /** A container seen for the first time: its directory is created, meta.json comes with the first append. */
  static ContainerLog create(Path root, String id, Fsync fsync, CorruptChunks corrupt) throws IOException {
    Path dir = Files.createDirectories(root.resolve(id));
    ContainerLog log = new ContainerLog(id, dir, null, new TreeMap<>(), null, 0, fsync, corrupt);
    log.dirUnsynced = true;
    return log;
  }

  /**
   * Reopens a container directory: reads the header of each segment and scans only the last one, cutting a
   * torn tail off it; damaged chunks followed by valid ones stay, as holes. Empty when the directory holds
   * neither meta.json nor a segment.
   */
  static Optional<ContainerLog> recover(Path dir, String id, ChunkReader reader, Fsync fsync, CorruptChunks corrupt)
      throws IOException {
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
        for (long hole : scan.holes()) corrupt.found(id, last.getKey(), hole, "damaged chunk");
        if (scan.validEnd() < channel.size()) {
          LOG.log(System.Logger.Level.WARNING, "container " + id + ": cutting " + (channel.size() - scan.validEnd())
              + " bytes off the end of " + last.getValue().getFileName() + " (" + scan.problem() + ")");
          channel.truncate(scan.validEnd());
        }
        SegmentHeader header = scan.header();
        boolean keptEmpty = header.has(SegmentHeader.FLAG_TRIMMED) && !header.damaged && segments.isEmpty();
        if (scan.stats().isEmpty() && !keptEmpty) {
          // Nothing valid (a crash right after rotation): drop it and continue the segment before it.
          channel.close();
          Files.delete(last.getValue());
          dirUnsynced = true;
          continue;
        }
        // unsynced: its tail may be in the page cache only, made durable by the write-ahead log the open
        // is about to drop, so the open forces it
        active = SegmentWriter.resume(last.getKey(), last.getValue(), channel, scan, true, fsync);
        lastSeq = scan.lastSeq();
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }
    TreeMap<Long, SealedSegment> sealed = new TreeMap<>();
    for (Map.Entry<Long, Path> segment : segments.entrySet()) {
      sealed.put(segment.getKey(), SealedSegment.open(segment.getKey(), segment.getValue()));
    }
    ContainerLog log = new ContainerLog(id, dir, meta, sealed, active, lastSeq, fsync, corrupt);
    log.dirUnsynced = dirUnsynced;
    return Optional.of(log);
  }

  String id() { return id; }

  /** Hands every sealed segment not compacted yet, and every one sealed from now on, to {@code compactor}. */
  void compactWith(Compactor compactor) {
    this.compactor = compactor;
    lock.readLock().lock();
    try {
      for (SealedSegment s : sealed.values()) compactor.submit(this, s);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Whether {@code segment} is still one of its sealed segments, unchanged. */
  boolean holds(SealedSegment segment) {
    lock.readLock().lock();
    try {
      return sealed.get(segment.key) == segment;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Renames the compacted copy {@code temp} over {@code segment} if that is still unchanged; false when
   * retention or a purge got to it first. Compactor thread.
   */
  boolean replaceCompacted(SealedSegment segment, Path temp, long bytes, SegmentStats stats, BlockIndex blocks)
      throws IOException {
    lock.writeLock().lock();
    try {
      if (sealed.get(segment.key) != segment) return false;
      Files.move(temp, segment.path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      SealedSegment compacted = new SealedSegment(segment.key, segment.path, segment.baseSeq, SegmentHeader.BYTES, bytes,
          true, stats);
      compacted.learnBlocks(blocks);
      sealed.put(segment.key, compacted);
      sealedBytes += bytes - segment.bytes;
      synchronized (sealedIndexes) {
        sealedIndexes.remove(segment.key);
      }
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  Path dir() { return dir; }

  /** The stored meta, or one of just the id before the first append has set it. */
  ContainerMeta meta() {
    ContainerMeta m = meta;
    return m != null ? m : new ContainerMeta(id, null, null, null, null);
  }

  long lastSeq() { return lastSeq; }

  long firstSeq() {
    lock.readLock().lock();
    try {
      return firstSeqLocked();
    } finally {
      lock.readLock().unlock();
    }
  }

  private long firstSeqLocked() {
    if (lastSeq == 0) return 0;
    if (!sealed.isEmpty()) return sealed.firstEntry().getValue().firstSeq();
    return active == null ? 0 : active.firstSeq();
  }

  ContainerSummary summary() {
    lock.readLock().lock();
    try {
      long first = firstSeqLocked();
      long last = lastSeq;
      long lines = last == 0 || first > last ? 0 : last - first + 1;
      return new ContainerSummary(meta(), first, last, lines, bytesLocked());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Bytes of its segment files. */
  long bytes() {
    lock.readLock().lock();
    try {
      return bytesLocked();
    } finally {
      lock.readLock().unlock();
    }
  }

  private long bytesLocked() {
    return sealedBytes + (active == null ? 0 : active.size());
  }

  /** Segment files and the line bytes they hold (a sealed segment not summed yet counts its file size). */
  long[] segmentsAndRawBytes() {
    lock.readLock().lock();
    try {
      long raw = active == null ? 0 : active.stats().rawBytes;
      for (SealedSegment s : sealed.values()) raw += s.hasStats() ? s.statsIfKnown().rawBytes : s.bytes;
      return new long[] {sealed.size() + (active == null ? 0 : 1), raw};
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Refuses a gap before touching anything, then records a changed meta and writes the lines not yet
   * held as one chunk. A batch that starts after lastSeq + 1 is a gap unless the sender vouches that every
   * line before it is stored (here or on another collector): {@code storedThrough >= firstSeq - 1}. A failed
   * write leaves lastSeq and the segment as they were.
   */
  AppendResult append(LineBatch batch, long storedThrough, ChunkEncoder encoder, DirectWrites direct,
                      long segmentBytes) throws IOException {
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
    if (rotates(hole && lastSeq > 0, segmentBytes)) active.forceWhole(); // before the lock: reads never wait for a force
    lock.writeLock().lock();
    try {
      writerFor(chunkFirstSeq, hole && lastSeq > 0, segmentBytes).append(chunk, chunkFirstSeq, direct);
      lastSeq = batch.lastSeq();
    } finally {
      lock.writeLock().unlock();
    }
    encoder.keep();
    return new AppendResult(count - duplicates, duplicates, lastSeq);
  }

  /**
   * Writes the lines of {@code batch} this container lacks below its last seq ({@link BackfillPlan}), each run
   * as a new sealed segment: written to a temporary file, forced, renamed into place and the directory forced,
   * so they are durable when this returns. Reads see them at once, in seq order; appends are unaffected (they
   * go on after lastSeq). Writer thread.
   *
   * @return the lines written
   */
  int backfill(LineBatch batch, ChunkEncoder encoder, ChunkReader reader) throws IOException {
    if (batch.count() == 0 || lastSeq == 0) return 0;
    int written = 0;
    for (long[] part : BackfillPlan.parts(ranges(reader), purgedThrough(), lastSeq, batch.firstSeq(), batch.lastSeq())) {
      if (sealed.containsKey(part[0]) || (active != null && active.key() == part[0])) continue; // a damaged file's name
      writeBackfill(batch, (int) (part[0] - batch.firstSeq()), (int) (part[1] - part[0] + 1), encoder);
      written += (int) (part[1] - part[0] + 1);
    }
    if (written > 0) syncMetadata();
    return written;
  }

  /**
   * The runs of consecutive seqs it holds, {first, last}, in order; a sealed segment's are summed on first use.
   * Writer thread.
   */
  List<long[]> ranges(ChunkReader reader) throws IOException {
    List<long[]> runs = new ArrayList<>();
    for (SealedSegment s : sealed.values()) {
      SegmentStats stats = s.stats(id, reader, corrupt);
      if (!stats.isEmpty()) addRun(runs, stats.firstSeq, stats.lastSeq);
    }
    if (active != null && !active.isEmpty()) addRun(runs, active.firstSeq(), lastSeq);
    return runs;
  }

  private static void addRun(List<long[]> runs, long first, long last) {
    long[] previous = runs.isEmpty() ? null : runs.get(runs.size() - 1);
    if (previous != null && previous[1] + 1 >= first) previous[1] = Math.max(previous[1], last);
    else runs.add(new long[] {first, last});
  }

  /** Lines up to this seq were deleted by a purge (its first segment says so), 0 when none were. */
  private long purgedThrough() {
    Map.Entry<Long, SealedSegment> first = sealed.firstEntry();
    if (first != null) return first.getValue().baseSeq >= first.getKey() ? first.getValue().baseSeq : 0;
    return active != null && active.baseSeq() >= active.key() ? active.baseSeq() : 0;
  }

  private void writeBackfill(LineBatch batch, int from, int count, ChunkEncoder encoder) throws IOException {
    LineBatch part = batch.tail(from);
    if (part.count() > count) part = part.head(count);
    long firstSeq = part.firstSeq();
    Path path = dir.resolve(SegmentNames.of(firstSeq));
    Path temp = dir.resolve(SegmentNames.of(firstSeq) + REWRITE_SUFFIX);
    SegmentStats stats = new SegmentStats();
    long bytes;
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer chunk = encoder.encode(part, 0, idBytes);
      stats.addChunk(chunk.duplicate());
      bytes = FileAppend.write(out, chunk, FileAppend.write(out, SegmentHeader.encode(0, firstSeq - 1), 0));
      fsync.channel(out, temp);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
    SealedSegment segment = new SealedSegment(firstSeq, path, firstSeq - 1, SegmentHeader.BYTES, bytes, false, stats);
    lock.writeLock().lock();
    try {
      sealed.put(firstSeq, segment);
      sealedBytes += bytes;
    } finally {
      lock.writeLock().unlock();
    }
    dirUnsynced = true;
    if (compactor != null) compactor.submit(this, segment);
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
    lock.writeLock().lock();
    try {
      writerFor(chunkFirstSeq, chunkFirstSeq > lastSeq + 1 && lastSeq > 0, segmentBytes).append(chunk, chunkFirstSeq, null);
      lastSeq = chunkLastSeq;
    } finally {
      lock.writeLock().unlock();
    }
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

  /** Forces meta.json and the directory's entries (new, renamed or deleted files) if they changed. */
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
    lock.readLock().lock();
    try {
      if (limit <= 0 || lastSeq == 0 || afterSeq >= lastSeq) {
        return LineCollector.empty(meta(), LineCollector.seqAfter(afterSeq));
      }
      LineCollector out = new LineCollector(Math.max(afterSeq + 1, firstSeqLocked()), limit, maxBytes);
      readInto(out, reader);
      return out.toBatch(meta());
    } finally {
      lock.readLock().unlock();
    }
  }

  LineMatches find(long afterSeq, TextFilter filter, int limit, int maxScan, int maxBytes, ChunkReader reader)
      throws IOException {
    lock.readLock().lock();
    try {
      if (limit <= 0 || maxScan <= 0 || lastSeq == 0 || afterSeq >= lastSeq) {
        return MatchCollector.empty(meta(), LineCollector.seqAfter(afterSeq));
      }
      MatchCollector out = new MatchCollector(Math.max(afterSeq + 1, firstSeqLocked()), filter, limit, maxBytes, maxScan);
      readInto(out, reader);
      return out.toMatches(meta());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Read lock held: feeds {@code out} from its {@link LineSink#nextSeq()} on, through sealed segments then the active one. */
  private void readInto(LineSink out, ChunkReader reader) throws IOException {
    long from = out.nextSeq();
    Map.Entry<Long, SealedSegment> start = sealed.floorEntry(from);
    if (start == null) start = sealed.firstEntry();
    if (start != null && (active == null || from < active.firstSeq())) {
      for (SealedSegment segment : sealed.tailMap(start.getKey(), true).values()) {
        if (!out.continuesAt(segment.firstSeq())) break;
        SparseChunkIndex index;
        synchronized (sealedIndexes) {
          index = sealedIndexes.computeIfAbsent(segment.key, k -> new SparseChunkIndex(segment.dataStart));
        }
        try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ)) {
          readSegment(segment.key, channel, segment.bytes, index, out, reader);
        }
        if (out.full()) break;
      }
    }
    if (active != null && !out.full() && out.continuesAt(active.firstSeq())) {
      active.read(channel -> readSegment(active.key(), channel, active.size(), active.index(), out, reader));
    }
  }

  /** The highest seq stamped at or before {@code timeMillis}, 0 when none is. */
  long seqAt(long timeMillis, ChunkReader reader) throws IOException {
    lock.readLock().lock();
    try {
      long[] found = {0};
      ChunkWalk.Visitor visitor = (header, bytes, body) -> {
        for (int i = 0; i < header.count; i++) {
          long time = bytes.getLong(body + i * ChunkFormat.LINE_RECORD_BYTES + ChunkFormat.RECORD_TIME_OFFSET);
          if (Math.floorDiv(time, 1_000_000L) <= timeMillis) found[0] = Math.max(found[0], header.firstSeq + i);
        }
      };
      for (SealedSegment segment : sealed.values()) {
        if (segment.stats(id, reader, corrupt).isEmpty() || segment.statsIfKnown().minTimeMillis() > timeMillis) continue;
        try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ)) {
          ChunkWalk.walk(channel, segment.dataStart, segment.bytes, reader, damage(segment.key), visitor);
        }
      }
      if (active != null) {
        active.read(channel -> ChunkWalk.walk(channel, active.dataStart(), active.size(), reader, damage(active.key()),
            visitor));
      }
      return found[0];
    } finally {
      lock.readLock().unlock();
    }
  }

  List<LineSpan> spans(ChunkReader reader) throws IOException {
    lock.readLock().lock();
    try {
      List<LineSpan> spans = new ArrayList<>();
      for (SealedSegment segment : sealed.values()) {
        SegmentStats s = segment.stats(id, reader, corrupt);
        if (s.isEmpty()) continue;
        BlockIndex blocks = segment.blocksIfKnown();
        if (blocks == null) {
          spans.add(new LineSpan(segment.key, s.firstSeq, s.lastSeq, s.minTimeNanos, s.maxTimeNanos));
          continue;
        }
        for (int i = 0; i < blocks.size(); i++) {
          spans.add(new LineSpan(segment.key, blocks.firstSeq(i), blocks.lastSeq(i), blocks.minTimeNanos(i),
              blocks.maxTimeNanos(i), blocks.start(i), blocks.end(i)));
        }
      }
      if (active != null && !active.isEmpty()) {
        SegmentStats s = active.stats();
        spans.add(new LineSpan(active.key(), s.firstSeq, s.lastSeq, s.minTimeNanos, s.maxTimeNanos));
      }
      return spans;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The lines of the segment or block {@code span} names, whether it is sealed or still written, or none when it
   * is gone. A whole walk of a compacted segment learns its blocks ({@link BlockIndex}); a block's span is read
   * alone while the segment is the one whose blocks it names (kept decoded in {@code decoded}, unless null, and
   * read from there while it keeps it), else its seqs are taken from a walk of the whole.
   */
  void walk(LineSpan span, LineVisitor visitor, ChunkReader reader, DecodedBlocks decoded) throws IOException {
    LineVisitor inSpan = span.isWhole() ? visitor : new LineVisitor() {
      @Override
      public void text(byte[] data, int from, int to) {
        visitor.text(data, from, to);
      }

      @Override
      public void line(long seq, long time, byte stream, byte flags, byte[] data, int offset, int length) {
        if (seq >= span.firstSeq() && seq <= span.lastSeq()) visitor.line(seq, time, stream, flags, data, offset, length);
      }
    };
    lock.readLock().lock();
    try {
      SealedSegment segment = sealed.get(span.key());
      if (segment != null) {
        BlockIndex known = segment.blocksIfKnown();
        if (!span.isWhole() && known != null && known.has(span.start(), span.end(), span.firstSeq(), span.lastSeq())) {
          // the block holds exactly the span's seqs (has() compared them): no line needs the seq filter
          walkBlock(segment, span, visitor, reader, decoded);
          return;
        }
        BlockIndex.Builder learn = known == null && segment.compacted ? new BlockIndex.Builder() : null;
        try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ)) {
          ChunkWalk.walk(channel, segment.dataStart, segment.bytes, reader, damage(segment.key), lines(inSpan, learn));
        }
        if (learn != null) segment.learnBlocks(learn.build());
      } else if (active != null && active.key() == span.key()) {
        active.read(channel -> ChunkWalk.walk(channel, active.dataStart(), active.size(), reader, damage(active.key()),
            lines(inSpan, null)));
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  private void walkBlock(SealedSegment segment, LineSpan span, LineVisitor visitor, ChunkReader reader,
      DecodedBlocks decoded) throws IOException {
    ChunkWalk.Visitor lines = lines(visitor, null);
    DecodedBlocks.Block kept = decoded == null ? null : decoded.get(segment, span.start());
    if (kept != null) {
      ChunkHeader header = new ChunkHeader();
      header.firstSeq = kept.firstSeq();
      header.count = kept.count();
      header.rawBodyLength = kept.body().length;
      lines.chunk(header, java.nio.ByteBuffer.wrap(kept.body()), 0);
      return;
    }
    try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ)) {
      ChunkWalk.walk(channel, span.start(), span.end(), reader, damage(segment.key), (header, bytes, body) -> {
        if (decoded != null && !header.isPlainChunk() && header.codec != ChunkFormat.CODEC_NONE) {
          decoded.put(segment, header.position, new DecodedBlocks.Block(header.firstSeq, header.count,
              java.util.Arrays.copyOfRange(bytes.array(), body, body + header.rawBodyLength)));
        }
        lines.chunk(header, bytes, body);
      });
    }
  }

  /** Gives each line of a chunk to {@code visitor}; with {@code learn}, notes each chunk's seqs and times there. */
  private static ChunkWalk.Visitor lines(LineVisitor visitor, BlockIndex.Builder learn) {
    return (header, bytes, body) -> {
      byte[] data = bytes.array();
      int text = body + header.count * ChunkFormat.LINE_RECORD_BYTES;
      visitor.text(data, text, body + header.rawBodyLength);
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < header.count; i++) {
        int record = body + i * ChunkFormat.LINE_RECORD_BYTES;
        int length = bytes.getInt(record + ChunkFormat.RECORD_LENGTH_OFFSET);
        long time = bytes.getLong(record + ChunkFormat.RECORD_TIME_OFFSET);
        min = Math.min(min, time);
        max = Math.max(max, time);
        visitor.line(header.firstSeq + i, time, bytes.get(record + ChunkFormat.RECORD_STREAM_OFFSET),
            bytes.get(record + ChunkFormat.RECORD_FLAGS_OFFSET), data, text, length);
        text += length;
      }
      if (learn != null) learn.add(header, min, max);
    };
  }

  /** Seals the active segment if its first line is stamped before {@code cutoffMillis}. */
  boolean sealIfFirstLineBefore(long cutoffMillis) throws IOException {
    if (active == null || active.isEmpty() || active.stats().minTimeMillis() >= cutoffMillis) return false;
    active.forceWhole(); // before the lock: reads never wait for a force
    lock.writeLock().lock();
    try {
      active.close();
      seal(active);
      active = null;
    } finally {
      lock.writeLock().unlock();
    }
    return true;
  }

  /** Closes the active segment's file, forced, until the next append reopens it (see {@link SegmentWriter#release}). */
  void releaseSegment() throws IOException {
    if (active == null || !active.isOpen()) return;
    active.forceWhole(); // before the lock: reads never wait for a force
    lock.writeLock().lock();
    try {
      active.release();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether it holds a segment file open. */
  boolean holdsOpenSegment() {
    lock.readLock().lock();
    try {
      return active != null && active.isOpen();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The oldest sealed segment, or null. */
  SealedSegment oldestSealed() {
    return sealed.isEmpty() ? null : sealed.firstEntry().getValue();
  }

  /** What a sealed segment holds (summed on first use). */
  SegmentStats stats(SealedSegment segment, ChunkReader reader) throws IOException {
    return segment.stats(id, reader, corrupt);
  }

  /** Deletes the oldest sealed segment; returns its bytes. The directory is forced by {@link #syncMetadata()}. */
  long deleteOldest() throws IOException {
    lock.writeLock().lock();
    try {
      SealedSegment oldest = sealed.pollFirstEntry().getValue();
      sealedBytes -= oldest.bytes;
      synchronized (sealedIndexes) {
        sealedIndexes.remove(oldest.key);
      }
      Files.deleteIfExists(oldest.path);
      dirUnsynced = true;
      return oldest.bytes;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** It held lines and holds none now: all its segments were deleted (or purged empty). */
  boolean isGone() {
    return lastSeq > 0 && sealed.isEmpty() && (active == null || active.isEmpty());
  }

  /**
   * Deletes its lines up to {@code throughSeq}: whole segments, and the one holding the boundary is rewritten
   * without them (a new file renamed over the old, so a crash leaves one or the other). Durable on return.
   * Returns the new first seq.
   */
  long purge(long throughSeq, ChunkReader reader) throws IOException {
    lock.writeLock().lock();
    try {
      if (lastSeq == 0) return 0;
      long through = Math.min(throughSeq, lastSeq);
      if (through < firstSeqLocked()) return firstSeqLocked();
      while (!sealed.isEmpty()) {
        SealedSegment first = sealed.firstEntry().getValue();
        SegmentStats stats = first.stats(id, reader, corrupt);
        if (stats.isEmpty() || stats.lastSeq <= through) {
          deleteOldest();
          continue;
        }
        if (first.firstSeq() <= through) rewriteSealed(first, through, reader);
        break;
      }
      if (sealed.isEmpty() && active != null && active.firstSeq() <= through) rewriteActive(through, reader);
      if (sealed.isEmpty() && active == null) {
        // every file went: an empty one keeps where the lines ended, so resent lines stay duplicates
        active = SegmentWriter.createTrimmed(dir, lastSeq, fsync);
        active.force();
        dirUnsynced = true;
      }
      syncMetadata();
      return firstSeqLocked();
    } finally {
      lock.writeLock().unlock();
    }
  }

  void close() throws IOException {
    if (active != null) active.close();
  }

  private void rewriteSealed(SealedSegment segment, long through, ChunkReader reader) throws IOException {
    Path temp = dir.resolve(segment.path.getFileName() + REWRITE_SUFFIX);
    try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ)) {
      writeLinesAfter(channel, segment.key, segment.dataStart, channel.size(), through, temp, reader);
    }
    Files.move(temp, segment.path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    long bytes = Files.size(segment.path);
    sealedBytes += bytes - segment.bytes;
    SealedSegment rewritten = new SealedSegment(segment.key, segment.path, through, SegmentHeader.BYTES, bytes, false,
        null);
    sealed.put(segment.key, rewritten);
    synchronized (sealedIndexes) {
      sealedIndexes.remove(segment.key);
    }
    if (compactor != null) compactor.submit(this, rewritten);
    dirUnsynced = true;
  }

  private void rewriteActive(long through, ChunkReader reader) throws IOException {
    Path temp = dir.resolve(active.path().getFileName() + REWRITE_SUFFIX);
    active.read(channel -> writeLinesAfter(channel, active.key(), active.dataStart(), active.size(), through, temp,
        reader));
    Files.move(temp, active.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    FileChannel channel = FileChannel.open(active.path(), StandardOpenOption.READ, StandardOpenOption.WRITE);
    SegmentWriter rewritten;
    try {
      rewritten = SegmentWriter.resume(active.key(), active.path(), channel, SegmentScan.of(channel, active.key(), reader),
          false, fsync);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    active.close();
    active = rewritten;
    dirUnsynced = true;
  }

  /** Writes a forced segment file of the lines above {@code through}, its header saying where they start. */
  private void writeLinesAfter(FileChannel source, long key, long dataStart, long end, long through, Path target,
                               ChunkReader reader) throws IOException {
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      long[] size = {FileAppend.write(out, SegmentHeader.encode(SegmentHeader.FLAG_TRIMMED, through), 0)};
      ChunkWalk.walk(source, dataStart, end, reader, damage(key), (header, bytes, body) -> {
        if (header.lastSeq() <= through) return;
        ByteBuffer chunk = header.firstSeq > through && header.isPlainChunk()
            ? bytes.duplicate().limit(body + header.bodyLength).position(body - ChunkFormat.HEADER_BYTES)
            : ChunkEncoder.tail(bytes, body, header, (int) Math.max(0, through + 1 - header.firstSeq));
        size[0] = FileAppend.write(out, chunk, size[0]);
      });
      fsync.channel(out, target);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(target);
      throw e;
    }
  }

  private ChunkWalk.Damage damage(long segmentKey) {
    return (position, why) -> corrupt.found(id, segmentKey, position, why);
  }

  private void updateMeta(ContainerMeta newMeta) throws IOException {
    if (newMeta.equals(meta)) return;
    MetaFile.write(dir, newMeta);
    meta = newMeta;
    metaUnsynced = true;
    dirUnsynced = true;
  }

  private void seal(SegmentWriter segment) {
    SealedSegment s = new SealedSegment(segment.key(), segment.path(), segment.baseSeq(), segment.dataStart(),
        segment.size(), false, segment.stats().copy());
    sealed.put(segment.key(), s);
    sealedBytes += segment.size();
    synchronized (sealedIndexes) {
      sealedIndexes.put(segment.key(), segment.index());
    }
    if (compactor != null) compactor.submit(this, s);
  }

  /**
   * The segment to append a chunk starting at {@code chunkFirstSeq} to. A full segment is forced before
   * the next one exists: recovery trusts every segment but the last, which only holds if an earlier one
   * can never lose its tail while a later one survives a crash. That is one fsync per segmentBytes.
   */
  private SegmentWriter writerFor(long chunkFirstSeq, boolean afterHole, long segmentBytes) throws IOException {
    if (active != null && active.isEmpty() && active.firstSeq() != chunkFirstSeq) {
      // An empty file's name and header would lie about its content: a first write failed and the retry
      // starts at another seq, or the lines after a purge of all come after a hole.
      active.close();
      Files.delete(active.path());
      active = null;
    }
    if (active == null) {
      active = SegmentWriter.create(dir, chunkFirstSeq, fsync);
      dirUnsynced = true;
    } else if (rotates(afterHole, segmentBytes)) {
      active.forceWhole(); // a no-op after append, which forced it before taking the lock; replay forces here
      SegmentWriter next = SegmentWriter.create(dir, chunkFirstSeq, fsync);
      active.close();
      seal(active);
      active = next;
      dirUnsynced = true;
    }
    return active;
  }

  /**
   * Whether the next chunk goes to a new segment: the active one is full, or the chunk comes after a hole. An
   * empty one is not left for a new one: it starts where the chunk does ({@link #writerFor} sees to that).
   */
  private boolean rotates(boolean afterHole, long segmentBytes) {
    return active != null && !active.isEmpty() && (active.size() >= segmentBytes || afterHole);
  }

  /**
   * Starts at the indexed chunk nearest before the wanted seq, skips chunks that end before it by their
   * header alone, then collects lines. Headers walked past are added to the index for later reads. A damaged
   * chunk is counted and skipped: the lines after it come as after a hole.
   */
  private void readSegment(long key, FileChannel channel, long end, SparseChunkIndex index, LineSink out,
                           ChunkReader reader) throws IOException {
    ChunkHeader header = new ChunkHeader();
    reader.attach(channel, end);
    try {
      long position = index.positionAtOrBefore(out.nextSeq());
      while (position < end && !out.full()) {
        int body;
        try {
          reader.readHeader(position, header);
          index.chunkAt(header.firstSeq, position);
          if (header.lastSeq() < out.nextSeq()) {
            position = header.endPosition();
            continue;
          }
          if (!out.continuesAt(header.firstSeq)) break;
          body = reader.loadBody(header);
        } catch (CorruptChunkException e) {
          corrupt.found(id, key, position, e.getMessage());
          long next = reader.findNext(position + 1, 0, header);
          if (next < 0) break;
          position = next;
          continue;
        }
        out.takeFrom(reader.bodyBytes(), body, header);
        position = header.endPosition();
      }
    } finally {
      reader.detach();
    }
  }

  private static TreeMap<Long, Path> listSegments(Path dir) throws IOException {
    TreeMap<Long, Path> segments = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(SegmentNames.SUFFIX + REWRITE_SUFFIX)) {
          Files.delete(file); // a rewrite a crash interrupted: the segment it was for is still whole
          continue;
        }
        long firstSeq = SegmentNames.firstSeqOf(name);
        if (firstSeq > 0) segments.put(firstSeq, file);
      }
    }
    return segments;
  }
}
