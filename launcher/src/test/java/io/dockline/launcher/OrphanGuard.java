package io.dockline.launcher;

import java.util.Arrays;

/**
 * {@code OrphanGuard MAIN_CLASS ARGS...} runs MAIN_CLASS's main in this JVM and halts the JVM when the process
 * that started it exits: a child a test JVM starts (a Kafka broker) dies with it even when the test JVM is
 * killed with SIGKILL and its shutdown hooks never run.
 */
public final class OrphanGuard {
  private OrphanGuard() {}

  public static void main(String[] args) throws Throwable {
    if (args.length < 1) {
      System.err.println("usage: OrphanGuard MAIN_CLASS [ARG...]");
      System.exit(2);
    }
    ProcessHandle.current().parent().ifPresentOrElse(
        parent -> parent.onExit().thenRun(() -> {
          System.err.println("OrphanGuard: parent process " + parent.pid() + " exited, halting");
          Runtime.getRuntime().halt(137);
        }),
        () -> Runtime.getRuntime().halt(137));
    try {
      Class.forName(args[0]).getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
