package io.dockline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Hosts on one machine for the network role: veth pairs as the "physical" layer 2, and one Docker daemon per
 * host (own socket, data root, exec root, pidfile; no bridge, no iptables), each with the test image. Every
 * name carries the lab's tag, so a lab left by a crashed run is found and removed before the next one starts.
 */
final class NetLab implements AutoCloseable {
  final String tag;
  final int hosts;
  final int links;
  private final List<Process> daemons = new ArrayList<>();

  private NetLab(String tag, int hosts, int links) {
    this.tag = tag;
    this.hosts = hosts;
    this.links = links;
  }

  /** Veth pairs {@code <tag>0a/<tag>0b}, ... and {@code hosts} daemons, after removing any leftovers of the tag. */
  static NetLab start(String tag, int hosts, int links) throws Exception {
    NetLab lab = new NetLab(tag, hosts, links);
    lab.cleanLeftovers();
    try {
      for (int l = 0; l < links; l++) {
        sh("ip", "link", "add", lab.end(l, 'a'), "type", "veth", "peer", "name", lab.end(l, 'b'));
        sh("ip", "link", "set", lab.end(l, 'a'), "up");
        sh("ip", "link", "set", lab.end(l, 'b'), "up");
      }
      for (int h = 1; h <= hosts; h++) lab.daemons.add(lab.startDaemon(h));
      for (int h = 1; h <= hosts; h++) lab.awaitDaemon(h);
      Path image = lab.runDir(0).resolve("image.tar");
      Files.createDirectories(image.getParent());
      Docker.run("save", "-o", image.toString(), Docker.IMAGE);
      for (int h = 1; h <= hosts; h++) lab.docker(h, "load", "-i", image.toString());
      return lab;
    } catch (Exception | AssertionError e) {
      lab.close();
      throw e;
    }
  }

  /** One end of a veth pair: side 'a' or 'b'. */
  String end(int link, char side) {
    return tag + link + side;
  }

  String dockerHost(int h) {
    return "unix://" + runDir(h).resolve("docker.sock");
  }

  String docker(int h, String... args) {
    return Docker.runOn(dockerHost(h), args);
  }

  private Path runDir(int h) {
    return Path.of("/run", tag + "-" + h);
  }

  private Path dataDir(int h) {
    return Path.of("/tmp", tag + "-" + h);
  }

  private Process startDaemon(int h) throws IOException {
    Files.createDirectories(runDir(h));
    Files.createDirectories(dataDir(h));
    return new ProcessBuilder("dockerd", "-H", dockerHost(h), "--data-root", dataDir(h).resolve("data").toString(),
        "--exec-root", runDir(h).resolve("exec").toString(), "--pidfile", runDir(h).resolve("docker.pid").toString(),
        "--bridge=none", "--iptables=false", "--ip6tables=false", "--shutdown-timeout=1")
        .redirectErrorStream(true).redirectOutput(dataDir(h).resolve("dockerd.log").toFile()).start();
  }

  private void awaitDaemon(int h) throws Exception {
    long end = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < end) {
      try {
        docker(h, "version", "--format", "{{.Server.Version}}");
        return;
      } catch (IllegalStateException e) {
        if (!daemons.get(h - 1).isAlive()) break;
        Thread.sleep(200);
      }
    }
    throw new AssertionError("dockerd " + h + " did not answer: " + Files.readString(dataDir(h).resolve("dockerd.log")));
  }

  /** Stops daemon {@code h} (its containers stop with it) and starts it again on the same root. */
  void restartDaemon(int h) throws Exception {
    Process p = daemons.get(h - 1);
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("dockerd " + h + " did not stop");
    daemons.set(h - 1, startDaemon(h));
    awaitDaemon(h);
  }

  /** Test containers first (so the daemons stop at once), then the daemons, the links and the directories. */
  @Override
  public void close() throws Exception {
    for (int h = 1; h <= daemons.size(); h++) {
      try {
        String ids = docker(h, "ps", "-aq");
        for (String id : ids.split("\\s+")) if (!id.isBlank()) docker(h, "rm", "-f", id);
      } catch (IllegalStateException e) {
        // a daemon that does not answer is stopped below anyway
      }
    }
    for (Process p : daemons) p.destroy();
    for (Process p : daemons) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    daemons.clear();
    cleanLeftovers();
  }

  /** Notes a process the lab's users started (a member), so a crashed run's is stopped by the next one. */
  void track(long pid) throws IOException {
    Files.writeString(runDir(0).resolve("pids"), pid + "\n", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  /**
   * What an earlier run of this tag left: its members and daemons (by the pids it noted and the daemons'
   * pidfiles), mounts, directories and links.
   */
  private void cleanLeftovers() throws Exception {
    Path tracked = runDir(0).resolve("pids");
    if (Files.exists(tracked)) {
      for (String pid : Files.readAllLines(tracked)) if (!pid.isBlank()) stop(Long.parseLong(pid.trim()), "java");
    }
    for (int h = 1; h <= hosts; h++) {
      Path pidfile = runDir(h).resolve("docker.pid");
      if (Files.exists(pidfile)) stop(Long.parseLong(Files.readString(pidfile).trim()), "dockerd");
      for (Path dir : List.of(runDir(h), dataDir(h))) {
        unmountBelow(dir);
        deleteTree(dir);
      }
    }
    deleteTree(runDir(0));
    for (int l = 0; l < links; l++) {
      if (Files.exists(Path.of("/sys/class/net", end(l, 'a')))) sh("ip", "link", "del", end(l, 'a'));
    }
  }

  /** Stops the process with that id if it is still the program named (a pid may have been reused). */
  private static void stop(long pid, String program) {
    ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").endsWith("/" + program)).ifPresent(p -> {
      p.destroy();
      p.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> {
        p.destroyForcibly();
        return p;
      }).join();
    });
  }

  private static void unmountBelow(Path dir) throws Exception {
    List<String> points = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String point = line.split(" ")[1];
      if (point.startsWith(dir + "/")) points.add(point);
    }
    points.sort(Comparator.reverseOrder());
    for (String p : points) sh("umount", "-l", p);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
    }
  }

  static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
