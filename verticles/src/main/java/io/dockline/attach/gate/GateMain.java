package io.dockline.attach.gate;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The start gate's process: {@code java -jar dockline.jar gate --start-gate-socket P --agent-socket A
 * [--start-gate-timeout MS]}. A node with {@code start-gate=on} starts one when none answers on the socket
 * (in a session of its own, so it outlives the node); an operator may run it under a service manager instead.
 */
public final class GateMain {
  private GateMain() {}

  public static void main(String[] args) throws Exception {
    Path plugin = null;
    Path agent = null;
    long holdMs = 2000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--start-gate-socket" -> plugin = Path.of(args[i + 1]);
        case "--agent-socket" -> agent = Path.of(args[i + 1]);
        case "--start-gate-timeout" -> holdMs = Long.parseLong(args[i + 1]);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (args.length % 2 != 0) usage("every option needs a value");
    if (plugin == null || agent == null) usage("--start-gate-socket and --agent-socket are required");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1));
    try {
      new AuthzPlugin(vertx, plugin, agent, holdMs).start().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("dockline gate: cannot serve " + plugin + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static void usage(String problem) {
    System.err.println("dockline gate: " + problem
        + "\nUsage: java -jar dockline.jar gate --start-gate-socket /run/docker/plugins/dockline.sock"
        + " --agent-socket DATA/agent/gate.sock [--start-gate-timeout 2000]");
    System.exit(2);
  }
}
