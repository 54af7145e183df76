package io.dockline.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.IntSupplier;

/**
 * The same benchmarks timed by the thread's CPU time instead of the wall clock, the least of several rounds: on a
 * shared machine JMH's wall-clock figures take in the time other processes ran. Not a JMH replacement (no
 * forks, no blackhole), a cross-check: {@code java -cp bench/jmh/target/benchmarks.jar io.dockline.bench.CpuTime}.
 */
public final class CpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static int sink;

  private CpuTime() {}

  public static void main(String[] args) {
    for (String kind : new String[] {"bench", "plain", "timestamped", "logfmt", "json"}) {
      LevelDetectorBench b = new LevelDetectorBench();
      b.kind = kind;
      b.setUp();
      report("LevelDetectorBench.detect " + kind, 1, () -> b.detect().ordinal());
    }
    BatchBuildingBench batches = new BatchBuildingBench();
    batches.setUp();
    report("BatchBuildingBench.addAndTake", BatchBuildingBench.LINES, () -> batches.addAndTake().count());
    ReadPathBench read = new ReadPathBench();
    read.setUp();
    report("ReadPathBench.decodeDetectAdd", ReadPathBench.LINES, read::decodeDetectAdd);
    System.out.println(sink == 42 ? "" : "");
  }

  /** CPU ns per line: the least over 10 rounds of 0.2 s each, after 3 s of warm-up. */
  private static void report(String name, int linesPerOp, IntSupplier op) {
    run(op, 3_000_000_000L);
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 10; round++) {
      long t0 = THREADS.getCurrentThreadCpuTime();
      long ops = run(op, 200_000_000L);
      best = Math.min(best, (THREADS.getCurrentThreadCpuTime() - t0) / (double) ops / linesPerOp);
    }
    System.out.printf("%-45s %8.1f CPU-ns/line%n", name, best);
  }

  private static long run(IntSupplier op, long cpuNanos) {
    long start = THREADS.getCurrentThreadCpuTime();
    long ops = 0;
    do {
      for (int i = 0; i < 64; i++) sink += op.getAsInt();
      ops += 64;
    } while (THREADS.getCurrentThreadCpuTime() - start < cpuNanos);
    return ops;
  }
}
