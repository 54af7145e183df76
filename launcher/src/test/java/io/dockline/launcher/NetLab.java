package io.dockline.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on one machine for the network role: veth pairs as the "physical" layer 2 and one Docker daemon of
 * its own per host ({@link SecondDockerDaemon}, each with the test image). Every name carries the lab's tag,
 * so what a crashed run left (links, daemons, the members it noted) is removed before the next one starts.
 */
final class NetLab implements AutoCloseable {
  final String tag;
  final int links;
  private final List<SecondDockerDaemon> daemons = new ArrayList<>();

  private NetLab(String tag, int links) {
    this.tag = tag;
    this.links = links;
  }

  /** Veth pairs {@code <tag>0a/<tag>0b}, ... and {@code hosts} daemons, after removing any leftovers of the tag. */
  static NetLab start(String tag, int hosts, int links) throws Exception {
    NetLab lab = new NetLab(tag, links);
    lab.cleanLeftovers();
    try {
      Files.createDirectories(lab.runDir());
      Path logs = Files.createTempDirectory(tag + "-logs");
      for (int l = 0; l < links; l++) {
        sh("ip", "link", "add", lab.end(l, 'a'), "type", "veth", "peer", "name", lab.end(l, 'b'));
        sh("ip", "link", "set", lab.end(l, 'a'), "up");
        sh("ip", "link", "set", lab.end(l, 'b'), "up");
      }
      for (int h = 1; h <= hosts; h++) {
        SecondDockerDaemon d = new SecondDockerDaemon(tag + "-" + h);
        lab.daemons.add(d);
        d.start(logs.resolve("dockerd-" + h + ".log"));
        lab.removeAllContainers(d);
      }
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
    return daemons.get(h - 1).host;
  }

  String docker(int h, String... args) {
    return Docker.runOn(dockerHost(h), args);
  }

  /** The container's endpoint on a network as daemon {@code h} shows it, or null when it is not on it. */
  JsonObject endpoint(int h, String id, String network) {
    JsonObject info = new JsonArray(docker(h, "inspect", id)).getJsonObject(0);
    return info.getJsonObject("NetworkSettings").getJsonObject("Networks").getJsonObject(network);
  }

  /** Docker's own view on every daemon of the lab: no address of the network is on two running containers. */
  void assertNoAddressTwice(String network) {
    Map<String, String> seen = new HashMap<>();
    for (int h = 1; h <= daemons.size(); h++) {
      for (String id : docker(h, "ps", "-q").split("\\s+")) {
        if (id.isBlank()) continue;
        JsonObject ep = endpoint(h, id, network);
        if (ep == null || ep.getString("IPAddress", "").isEmpty()) continue;
        String other = seen.put(ep.getString("IPAddress"), h + "/" + id);
        if (other != null) throw new AssertionError(ep.getString("IPAddress") + " on " + other + " and " + h + "/" + id);
      }
    }
  }

  /** Stops daemon {@code h} (its containers stop with it) and starts it again on the same data root. */
  void restartDaemon(int h) throws Exception {
    daemons.get(h - 1).restart(0);
  }

  private Path runDir() {
    return Path.of("/run", tag);
  }

  /** The lab's daemons are its own: every container on them is a test's, this run's or a crashed one's. */
  private void removeAllContainers(SecondDockerDaemon d) {
    for (String id : Docker.runOn(d.host, "ps", "-aq").split("\\s+")) {
      if (!id.isBlank()) Docker.runOn(d.host, "rm", "-f", id);
    }
  }

  /** Notes a process the lab's users started (a member), so a crashed run's is stopped by the next one. */
  void track(long pid) throws IOException {
    Files.writeString(runDir().resolve("pids"), pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The test containers and the networks the provisioner made, the daemons, noted members and the links. */
  @Override
  public void close() throws Exception {
    for (SecondDockerDaemon d : daemons) {
      try {
        removeAllContainers(d);
        Docker.runOn(d.host, "network", "prune", "-f", "--filter", "label=dockline.network.managed");
      } catch (IllegalStateException e) {
        // a daemon that does not answer has nothing to remove
      }
      d.close();
    }
    daemons.clear();
    cleanLeftovers();
  }

  private void cleanLeftovers() throws Exception {
    Path tracked = runDir().resolve("pids");
    if (Files.exists(tracked)) {
      for (String pid : Files.readAllLines(tracked)) if (!pid.isBlank()) stopJava(Long.parseLong(pid.trim()));
    }
    if (Files.isDirectory(runDir())) {
      try (java.util.stream.Stream<Path> files = Files.list(runDir())) {
        for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
      }
      Files.delete(runDir());
    }
    for (int l = 0; l < links; l++) {
      if (Files.exists(Path.of("/sys/class/net", end(l, 'a')))) sh("ip", "link", "del", end(l, 'a'));
    }
  }

  /** Stops the process with that id if it is still a JVM (the id may have been reused). */
  private static void stopJava(long pid) {
    ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").endsWith("/java")).ifPresent(p -> {
      p.destroyForcibly();
      p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    });
  }

  static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(Deadlines.killAfter(p, 60).getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
