package io.dockline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The docker CLI against the test daemon; every container it starts carries the label {@code dockline.test}. */
final class Docker {
  static final String IMAGE = System.getProperty("dockline.test.image", "dockline-test/busybox:1");
  static final String LABEL = "dockline.test";
  /**
   * The label's value for this test JVM: tests remove only their own containers, so runs from two checkouts
   * on one daemon leave each other alone. {@code .ci/run} removes every {@code dockline.test} leftover.
   */
  static final String RUN = "run-" + ProcessHandle.current().pid();
  static final String RUN_LABEL = LABEL + "=" + RUN;

  private Docker() {}

  static String run(String... args) {
    return runOn(null, args);
  }

  /** The docker CLI against the daemon at {@code host} (unix:///...), or the default one when null. */
  static String runOn(String host, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("docker");
    if (host != null) cmd.addAll(List.of("-H", host));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(Deadlines.killAfter(p, 120).getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
      return out;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts a detached test container on --network none running {@code sh -c script}; returns its id. */
  static String runDetached(String name, boolean tty, String script) {
    List<String> a = new ArrayList<>(List.of("run", "-d", "--network", "none", "--label", RUN_LABEL,
        "--log-driver", "none", "--name", name));
    if (tty) a.add("-t");
    a.addAll(List.of(IMAGE, "sh", "-c", script));
    return run(a.toArray(new String[0]));
  }

  /** Creates a test container on --network none running {@code sh -c script}, not started; returns its id. */
  static String create(String name, boolean tty, String script) {
    return createOn(null, name, tty, script);
  }

  static String createOn(String host, String name, boolean tty, String script) {
    List<String> a = new ArrayList<>(List.of("create", "--network", "none", "--label", RUN_LABEL,
        "--log-driver", "none", "--name", name));
    if (tty) a.add("-t");
    a.addAll(List.of(IMAGE, "sh", "-c", script));
    return runOn(host, a.toArray(new String[0]));
  }

  static void start(String... ids) {
    List<String> a = new ArrayList<>(List.of("start"));
    a.addAll(List.of(ids));
    run(a.toArray(new String[0]));
  }

  static void waitExited(String id, long timeoutMs) throws InterruptedException {
    waitExitedOn(null, id, timeoutMs);
  }

  static void removeTestContainers() {
    removeTestContainersOn(null);
  }

  static void removeTestContainersOn(String host) {
    String ids = runOn(host, "ps", "-aq", "--filter", "label=" + RUN_LABEL);
    for (String id : ids.split("\\s+")) if (!id.isBlank()) runOn(host, "rm", "-f", id);
  }

  static void waitExitedOn(String host, String id, long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      if ("exited".equals(runOn(host, "inspect", "-f", "{{.State.Status}}", id))) return;
      Thread.sleep(200);
    }
    throw new AssertionError("container " + id + " still running after " + timeoutMs + " ms");
  }
}
