package io.dockline.config;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Threads for work that may wait while the host is busy: a collector's writes and an agent's spool. They run
 * at a lower CPU priority (setting {@code background-priority}), so that on a host whose cores are all taken
 * the containers, and the reading of their output, come first; the collector catches up when they pause, while
 * the agents hold the lines in memory and in their spool (bounded by {@code agent-buffer-bytes} and
 * {@code agent-spool-bytes}, past which the spool policy applies). Linux gives each thread its own policy
 * and nice value, and lowering a thread's own priority needs no privilege. Where it cannot be lowered (not
 * Linux, no util-linux), the threads run at normal priority and a warning says so.
 */
public final class BackgroundThreads {
  private static final Logger LOG = Logger.getLogger(BackgroundThreads.class.getName());
  private static volatile boolean warned;

  private BackgroundThreads() {}

  /** A factory of threads named {@code name} that lower their own priority as {@code priority} says. */
  public static ThreadFactory factory(String name, BackgroundPriority priority) {
    return r -> new Thread(() -> {
      lowerCurrentThread(priority);
      r.run();
    }, name);
  }

  /**
   * Runs blocking {@code work} on {@code thread}; the future completes on {@code ctx}, so its callbacks touch
   * the verticle's state on its own context.
   */
  public static <T> Future<T> submit(Executor thread, Context ctx, Callable<T> work) {
    Promise<T> p = Promise.promise();
    thread.execute(() -> {
      try {
        T r = work.call();
        ctx.runOnContext(v -> p.complete(r));
      } catch (Throwable e) {
        ctx.runOnContext(v -> p.fail(e));
      }
    });
    return p.future();
  }

  /** Lowers the calling thread's CPU priority; false when that did not work. */
  public static boolean lowerCurrentThread(BackgroundPriority priority) {
    if (priority.isNormal()) return true;
    try {
      // "<pid>/task/<tid>": the kernel's id of this thread, which sched_setscheduler(2) and setpriority(2) take
      String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
      String failed = lower(tid, priority);
      if (failed == null) return true;
      warnOnce(failed);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception | LinkageError e) {
      warnOnce(e.toString());
    }
    return false;
  }

  /**
   * Lowers the CPU priority of this process's threads whose kernel name (the first 15 characters of the Java
   * name) starts with {@code prefix}: threads a library starts itself, such as a Kafka producer's sender. Returns
   * how many it lowered.
   */
  public static int lowerThreadsNamed(String prefix, BackgroundPriority priority) {
    if (priority.isNormal()) return 0;
    int lowered = 0;
    try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        String name;
        try {
          name = Files.readString(task.resolve("comm")).trim();
        } catch (java.io.IOException gone) {
          continue; // the thread ended meanwhile
        }
        if (!name.startsWith(prefix)) continue;
        String failed = lower(task.getFileName().toString(), priority);
        if (failed == null) lowered++;
        else warnOnce(failed);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      warnOnce(e.toString());
    }
    return lowered;
  }

  /** Lowers kernel thread {@code tid} to {@code priority}; null when done, else why not. */
  private static String lower(String tid, BackgroundPriority priority) throws java.io.IOException, InterruptedException {
    // sched_setscheduler(2) and setpriority(2) take a thread's kernel id
    List<String> command = priority.isIdle()
        ? List.of("chrt", "--idle", "--pid", "0", tid)
        : List.of("renice", "-n", Integer.toString(priority.nice()), "-p", tid);
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) return null;
    p.destroyForcibly();
    return command.get(0) + " exited with " + (p.isAlive() ? "no answer" : p.exitValue());
  }

  private static void warnOnce(String why) {
    if (warned) return;
    warned = true;
    LOG.warning("background threads run at normal priority: lowering it failed (" + why + ")");
  }
}
