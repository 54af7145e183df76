package io.dockline.bench;

import io.dockline.attach.LevelDetector;
import io.dockline.attach.impl.LineSink;
import io.dockline.attach.impl.StreamDecoder;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatchBuilder;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;

/**
 * An agent's per-line work on a fast writer, as its reader does it: Docker's multiplexed frames (32 KiB of
 * output each) decoded into lines, each line's level found and the line added to the pending batch, which is
 * taken every 4096 lines. ns per line of 140 bytes (with its newline).
 */
public class ReadPathBench extends Settings {
  private static final int FRAME_PAYLOAD = 32 << 10;
  private static final int READ_BYTES = 64 << 10;
  /** Lines in one pass over {@link #input}. */
  static final int LINES = 8192;

  private final ContainerMeta meta = new ContainerMeta("c0ffee", "bench", "busybox", "host", Map.of());
  private byte[] input;
  private StreamDecoder decoder;
  private LineBatchBuilder pending;
  private long time;
  private long seq = 1;

  @Setup
  public void setUp() {
    byte[] line = (Lines.BENCH + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] text = new byte[line.length * LINES];
    for (int i = 0; i < LINES; i++) System.arraycopy(line, 0, text, i * line.length, line.length);
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    for (int p = 0; p < text.length; p += FRAME_PAYLOAD) {
      int n = Math.min(FRAME_PAYLOAD, text.length - p);
      frames.write(new byte[] {1, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n}, 0, 8);
      frames.write(text, p, n);
    }
    input = frames.toByteArray();
    pending = new LineBatchBuilder();
    LineSink sink = (stream, flags, buf, off, len) ->
        pending.add(++time, stream, LevelDetector.detect(buf, off, len).into(flags), buf, off, len);
    decoder = new StreamDecoder(false, 1 << 20, sink);
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public int decodeDetectAdd() {
    for (int p = 0; p < input.length; p += READ_BYTES) {
      decoder.feed(input, p, Math.min(READ_BYTES, input.length - p));
      if (pending.count() >= 4096) seq += pending.take(meta, seq, 16384, 2 << 20).count();
    }
    int n = pending.count();
    if (n > 0) seq += pending.take(meta, seq, 16384, 2 << 20).count();
    return n;
  }
}
