package io.dockline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second Docker daemon beside the default one, as a second "host": its own socket, data root, exec root
 * and pidfile, no bridge, no iptables. The test image is copied into it with save/load (nothing is pulled).
 */
final class SecondDockerDaemon implements AutoCloseable {
  final String name;
  final String host;
  private final Path runDir;
  private final Path pidFile;
  private Process process;
  private final List<String> extraArgs;

  SecondDockerDaemon(String name, String... extraArgs) {
    this.name = name;
    this.extraArgs = List.of(extraArgs);
    this.runDir = Path.of("/run", name);
    this.host = "unix://" + runDir.resolve("docker.sock");
    this.pidFile = Path.of("/run", name + ".pid");
  }

  private Path logFile;

  SecondDockerDaemon start(Path logFile) throws Exception {
    this.logFile = logFile;
    stopLeftover();
    startDaemon();
    try {
      Docker.runOn(host, "image", "inspect", Docker.IMAGE);
    } catch (IllegalStateException missing) {
      Process save = new ProcessBuilder("sh", "-c", "docker save " + Docker.IMAGE + " | docker -H " + host + " load")
          .redirectErrorStream(true).start();
      String out = new String(Deadlines.killAfter(save, 300).getInputStream().readAllBytes());
      if (!save.waitFor(60, TimeUnit.SECONDS) || save.exitValue() != 0) {
        throw new AssertionError("copying the test image failed: " + out);
      }
    }
    Docker.removeTestContainersOn(host);
    return this;
  }

  /** Stops the daemon (SIGTERM: it stops its containers) and starts it again on the same data root. */
  void restart(long downMs) throws Exception {
    stopDaemon();
    Thread.sleep(downMs);
    startDaemon();
  }

  private void stopDaemon() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  private void startDaemon() throws Exception {
    Files.createDirectories(runDir);
    List<String> cmd = new java.util.ArrayList<>(List.of("dockerd", "-H", host, "--data-root", "/var/lib/" + name,
        "--exec-root", "/run/" + name + "-exec", "--pidfile", pidFile.toString(), "--bridge=none",
        "--iptables=false"));
    cmd.addAll(extraArgs);
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    long end = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        Docker.runOn(host, "version");
        break;
      } catch (IllegalStateException e) {
        if (!process.isAlive() || System.currentTimeMillis() > end) {
          throw new AssertionError("dockerd " + name + " did not start: " + Files.readString(logFile));
        }
        Thread.sleep(300);
      }
    }
  }

  /** A daemon left by a crashed run would hold the socket: ended first. */
  private void stopLeftover() throws IOException, InterruptedException {
    if (!Files.exists(pidFile)) return;
    String pid = Files.readString(pidFile).trim();
    new ProcessBuilder("kill", pid).start().waitFor(30, TimeUnit.SECONDS);
    for (int i = 0; i < 100 && Files.exists(pidFile); i++) Thread.sleep(100);
  }

  @Override
  public void close() throws Exception {
    if (process == null) return;
    try {
      Docker.removeTestContainersOn(host);
    } finally {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
