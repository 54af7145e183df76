package io.dockline.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the kernel says about the calling thread. */
public final class CurrentThread {
  private CurrentThread() {}

  /** Its scheduling as {@code /proc} tells it: "idle" (SCHED_IDLE), or its nice value for the normal policy. */
  public static String priority() {
    try {
      String stat = Files.readString(Path.of("/proc/thread-self/stat"));
      // the fields after the command name (which may hold spaces): nice is field 19, policy field 41
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return "5".equals(f[38]) ? "idle" : f[16];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
