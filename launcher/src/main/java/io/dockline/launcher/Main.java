package io.dockline.launcher;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * {@code java -jar dockline.jar [options]}: starts a node, stops it cleanly on Ctrl-C or SIGTERM.
 * {@code java -jar dockline.jar logs|status|purge ...}: the client commands ({@link Client}).
 * {@code java -jar dockline.jar gate ...}: the start gate's process ({@link io.dockline.attach.gate.GateMain}).
 */
public final class Main {
  /** How long a node may take to join its cluster and start its roles before it gives up. */
  private static final int START_TIMEOUT_SECONDS = 120;
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("gate")) {
      // the start gate's own small process (see README, "Start gate")
      io.dockline.attach.gate.GateMain.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (Client.isCommand(args)) {
      // a client command: no node, no cluster, no logging set-up; it only talks HTTP to a node
      System.exit(new Client(System.out, System.err, System.getenv()).run(args));
      return;
    }
    List<String> ownJvm = NodeJvm.ownJvmCommand(args);
    if (ownJvm != null) {
      // no heap bound given: the node runs in a JVM sized for it, this one waits (NodeJvm)
      System.exit(NodeJvm.runInOwnJvm(ownJvm));
      return;
    }
    // before anything touches java.util.logging: keep logging alive while the node stops
    System.setProperty("java.util.logging.manager", DocklineLogManager.class.getName());
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "jdk");
    CommandLine cli;
    try {
      cli = CommandLine.parse(args, System.getenv());
    } catch (CommandLine.UsageException e) {
      System.err.println("dockline: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (cli.help) {
      System.out.print(CommandLine.usage());
      System.out.print("\n" + Client.usage());
      System.out.print("\nStart gate process (started by a node with --start-gate on, or by a service manager):\n"
          + "  java -jar dockline.jar gate --start-gate-socket /run/docker/plugins/dockline.sock"
          + " --agent-socket DATA/agent/gate.sock [--start-gate-timeout 2000]\n");
      return;
    }
    Logging.configure();
    Logger log = Logger.getLogger(Main.class.getName());
    Node node;
    try {
      node = Node.start(cli.config).toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println("dockline: failed to start: not started within " + START_TIMEOUT_SECONDS
          + " s (joining the cluster or starting a role took longer; see the log above)");
      System.exit(1);
      return;
    } catch (Exception e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      System.err.println("dockline: failed to start: " + (c.getMessage() != null ? c.getMessage() : c.toString()));
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping: draining what was read into the collectors");
      try {
        node.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        log.info("stopped");
      } catch (Exception e) {
        log.warning("stop did not complete: " + e);
      } finally {
        DocklineLogManager.resetFinally();
        stopped.countDown();
      }
    }, "dockline-shutdown"));
    NodeJvm.stopWithParent();
  }
}
