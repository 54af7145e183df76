package io.dockline.bench;

import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.LineBatchBuilder;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;

/**
 * The agent's batch building: {@value #LINES} lines of 139 bytes added, then taken as one batch, as a fast
 * writer's lines are (ns per line).
 */
public class BatchBuildingBench extends Settings {
  static final int LINES = 4096;
  private final ContainerMeta meta = new ContainerMeta("c0ffee", "bench", "busybox", "host", Map.of());
  private byte[] line;
  private LineBatchBuilder builder;
  private long seq = 1;
  private long time;

  @Setup
  public void setUp() {
    line = Lines.of("bench");
    builder = new LineBatchBuilder();
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public LineBatch addAndTake() {
    for (int i = 0; i < LINES; i++) builder.add(++time, (byte) 1, (byte) 0, line, 0, line.length);
    LineBatch b = builder.take(meta, seq, 16384, 2 << 20);
    seq += b.count();
    return b;
  }
}
