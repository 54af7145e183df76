package io.dockline.launcher;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JVM a node runs in. Given no heap bound, a JVM sizes its heap from the machine's memory (starting at 1/64
 * of it, growing to 1/4), and a node that needs tens of MB then holds hundreds. So a node started without one
 * starts itself again in a JVM sized for it ({@link #FLAGS}) and stays as its small parent: it passes SIGTERM
 * and Ctrl-C on, waits, and ends with the node's exit code; the node stops (as on SIGTERM) when that parent is
 * gone. A heap bound on the command line ({@code java -Xmx1g -jar dockline.jar}) is the operator's choice:
 * the node then runs in the JVM it was given.
 */
final class NodeJvm {
  /**
   * A heap that starts small and grows only as a node needs it, up to a bound that carries 500 containers with
   * room to spare; the serial collector (no GC threads or remembered sets: the node's live data is small).
   */
  static final List<String> FLAGS = List.of("-Xms16m", "-Xmx256m", "-XX:+UseSerialGC");
  /**
   * glibc keeps the memory a JVM frees (the JIT compiler's arenas, direct buffers, native libraries' buffers)
   * for its next allocations, so a node's RSS only rises, in steps after busy moments (a collector's failover:
   * new code paths compiled, buffers taken and freed); trimming the native heap every 10 s gives it back.
   * JDK 17.0.9, 21.0.1 and 22 have the flag (experimental before 17.0.11, 21.0.3, 22.0.1); older ones do not.
   */
  private static final String TRIM_NATIVE_HEAP = "-XX:TrimNativeHeapInterval=10000";
  /** Marks the node's own JVM, so that it watches its parent. */
  static final String CHILD_PROPERTY = "dockline.parent-pid";
  private static final List<String> BOUNDS = List.of("-Xmx", "-XX:MaxHeapSize=", "-XX:MaxRAM=",
      "-XX:MaxRAMPercentage=", "-XX:MaxRAMFraction=");
  /** Debugging and profiling agents bind ports and files of their own: the node's JVM does not get them twice. */
  private static final List<String> NOT_PASSED = List.of("-agentlib:", "-agentpath:", "-javaagent:", "-Xrunjdwp");
  private static final long STOP_WAIT_SECONDS = 90;

  private NodeJvm() {}

  static boolean heapBounded(List<String> jvmArguments) {
    for (String a : jvmArguments) for (String b : BOUNDS) if (a.startsWith(b)) return true;
    return false;
  }

  /**
   * The command that runs the node in a JVM of its own, or null to run it in this one: when this JVM has a heap
   * bound, or the code does not run from a jar (tests, an IDE).
   */
  static List<String> ownJvmCommand(List<String> jvmArguments, Path javaHome, Path jar, long parentPid, String[] args) {
    if (heapBounded(jvmArguments) || jar == null || !jar.toString().endsWith(".jar")) return null;
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome.resolve("bin").resolve("java").toString());
    cmd.addAll(flags(Runtime.version()));
    for (String a : jvmArguments) if (NOT_PASSED.stream().noneMatch(a::startsWith)) cmd.add(a);
    cmd.add("-D" + CHILD_PROPERTY + "=" + parentPid);
    cmd.addAll(List.of("-jar", jar.toString()));
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  /** The node JVM's flags on a JDK of {@code version} (the node's JVM is this one's {@code java}). */
  static List<String> flags(Runtime.Version version) {
    int feature = version.feature();
    int update = version.update();
    boolean trims = feature == 17 ? update >= 9 : feature == 21 ? update >= 1 : feature >= 22;
    if (!trims) return FLAGS;
    boolean experimental = feature == 17 ? update < 11 : feature == 21 ? update < 3 : feature == 22 && update < 1;
    List<String> flags = new ArrayList<>(FLAGS);
    if (experimental) flags.add("-XX:+UnlockExperimentalVMOptions");
    flags.add(TRIM_NATIVE_HEAP);
    return flags;
  }

  /** The command for this process's node, or null to run it here. */
  static List<String> ownJvmCommand(String[] args) {
    return ownJvmCommand(ManagementFactory.getRuntimeMXBean().getInputArguments(),
        Path.of(System.getProperty("java.home")), thisJar(), ProcessHandle.current().pid(), args);
  }

  /** Runs the node in its own JVM and returns its exit code; SIGTERM or Ctrl-C here stop it first. */
  static int runInOwnJvm(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    // glibc gives each thread that allocates its own arena (up to 8 per core), memory a JVM rarely needs
    pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
    Process node = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!node.isAlive()) return;
      node.destroy();   // SIGTERM: the node drains what it read, then ends
      try {
        if (!node.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) node.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "dockline-stop-node"));
    return node.waitFor();
  }

  /** In the node's own JVM: stop as on SIGTERM once the parent that started it is gone (killed with -9). */
  static void stopWithParent() {
    String pid = System.getProperty(CHILD_PROPERTY);
    if (pid == null) return;
    ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
        parent -> parent.onExit().thenRun(() -> System.exit(143)),
        () -> System.exit(143));
  }

  private static Path thisJar() {
    try {
      Path p = Path.of(NodeJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(p) ? p : null;
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      return null;
    }
  }
}
