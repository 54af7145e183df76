package io.dockline.launcher;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What the node says of its heap at start. Without a heap bound on the command line the JVM sizes the heap
 * from the machine's memory (starting at 1/64, growing to 1/4 of it), and a node then holds far more than it
 * needs; the README's sizing ({@code -Xmx192m -XX:+UseSerialGC}) carries 500 containers.
 */
final class HeapSizing {
  static final String ADVICE = "-Xmx192m -XX:+UseSerialGC";
  private static final List<String> BOUNDS = List.of("-Xmx", "-XX:MaxHeapSize=", "-XX:MaxRAM=",
      "-XX:MaxRAMPercentage=", "-XX:MaxRAMFraction=");

  private HeapSizing() {}

  /** Null when the JVM was given a heap bound; otherwise the line to log. */
  static String warning(List<String> jvmArguments, long maxHeapBytes) {
    for (String a : jvmArguments) for (String b : BOUNDS) if (a.startsWith(b)) return null;
    return "the JVM was given no heap bound and may grow its heap to " + (maxHeapBytes >> 20) + " MiB (a quarter of"
        + " this machine's memory); a node needs far less: run java " + ADVICE + " -jar dockline.jar (README, Sizing)";
  }

  static String warning() {
    return warning(ManagementFactory.getRuntimeMXBean().getInputArguments(), Runtime.getRuntime().maxMemory());
  }
}
