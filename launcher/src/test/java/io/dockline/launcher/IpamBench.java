package io.dockline.launcher;

import io.dockline.wire.Addresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What bench/ipam.sh runs: three hosts as in NetworkIT (own daemons, one veth pair), then
 * (a) allocations per second through the event bus, answered by three members, ROUNDS rounds of ALLOCATIONS
 * concurrent requests (released between rounds), and (b) for CONTAINERS labelled containers started with
 * {@code docker run}, the time from the container's start (Docker's State.StartedAt) until Docker shows it on
 * the network with its leased address. It fails when an allocation gave no address or a repeated one, or a
 * container is not connected within a minute.
 */
public final class IpamBench {
  /** A container not connected with its lease by then fails the bench instead of holding it. */
  private static final long CONNECT_WAIT_MS = 60_000;
  private IpamBench() {}

  public static void main(String[] args) throws Exception {
    int allocations = Integer.getInteger("allocations", 1000);
    int rounds = Integer.getInteger("rounds", 5);
    int containers = Integer.getInteger("containers", 10);
    Path work = Files.createTempDirectory("dockline-ipam-bench");
    String cluster = "bench-net-" + ProcessHandle.current().pid();
    List<NodeProcess> members = new ArrayList<>();
    try (NetLab lab = NetLab.start("dlnbench", 3, 1)) {
      for (int h = 1; h <= 3; h++) {
        JsonObject conf = new JsonObject().put("roles", new JsonArray().add("network").add("gateway"))
            .put("networks", new JsonArray().add(new JsonObject().put("name", "lan")
                .put("parent", lab.end(0, h == 2 ? 'b' : 'a')).put("subnet", "10.252.0.0/20")
                .put("range", "10.252.0.10-10.252.15.200").put("dockerRange", "10.252.15.240/28")));
        Path file = work.resolve("m" + h + ".json");
        Files.writeString(file, conf.encode());
        List<String> a = new ArrayList<>(List.of("--conf", file.toString(), "--cluster-name", cluster,
            "--docker-host", lab.dockerHost(h)));
        if (h > 1) a.addAll(List.of("--join", "127.0.0.1:" + members.get(0).clusterPort));
        members.add(new NodeProcess("bench" + h, work, a.toArray(new String[0])).start());
        lab.track(members.get(h - 1).pid());
      }
      for (NodeProcess m : members) m.awaitHealth(200, 120_000);
      try (ClusterClient bus = ClusterClient.join(cluster, members.get(0).clusterPort)) {
        allocationRate(bus, allocations, rounds);
        startToConnected(lab, bus, containers);
      }
    } finally {
      for (NodeProcess m : members) m.close();
    }
  }

  private static void allocationRate(ClusterClient bus, int n, int rounds) throws Exception {
    for (int r = 0; r <= rounds; r++) {
      long t0 = System.nanoTime();
      List<JsonObject> replies = bus.forKeys(Addresses.NETWORK_ALLOCATE, "lan", "b", n);
      double s = (System.nanoTime() - t0) / 1e9;
      long members = replies.stream().map(j -> j.getString("answeredBy")).distinct().count();
      long addresses = replies.stream().map(j -> j.getString("ip")).filter(ip -> ip != null).distinct().count();
      if (addresses != n) throw new AssertionError(n + " allocations gave " + addresses + " distinct addresses");
      bus.forKeys(Addresses.NETWORK_RELEASE, "lan", "b", n);
      System.out.printf("%s %d concurrent allocations answered by %d members: %.2f s, %.0f allocations/s%n",
          r == 0 ? "warm-up" : "round " + r, n, members, s, n / s);
    }
  }

  private static void startToConnected(NetLab lab, ClusterClient bus, int n) throws Exception {
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      int host = 1 + i % 2;
      String id = lab.docker(host, "run", "-d", "--network", "lan", "--label", "dockline.network=lan", "--label",
          Docker.RUN_LABEL, Docker.IMAGE, "sleep", "600");
      long seen = 0;
      JsonObject ep = null;
      long deadline = System.currentTimeMillis() + CONNECT_WAIT_MS;
      while (seen == 0) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("container " + id + " on host " + host + " not on 'lan' with its leased address within "
              + CONNECT_WAIT_MS / 1000 + " s: " + ep);
        }
        JsonObject info = new JsonArray(lab.docker(host, "inspect", id)).getJsonObject(0);
        ep = info.getJsonObject("NetworkSettings").getJsonObject("Networks").getJsonObject("lan");
        JsonObject ipam = ep == null ? null : ep.getJsonObject("IPAMConfig");
        String pinned = ipam == null ? null : ipam.getString("IPv4Address");
        if (pinned != null && pinned.equals(ep.getString("IPAddress")) && !pinned.startsWith("10.252.15.24")) {
          seen = System.currentTimeMillis();
          Instant started = Instant.parse(info.getJsonObject("State").getString("StartedAt"));
          ms[i] = seen - started.toEpochMilli();
        } else {
          Thread.sleep(10);
        }
      }
    }
    Arrays.sort(ms);
    System.out.printf("container start -> connected with its leased address (docker run, %d containers on 2 hosts): "
        + "median %.0f ms, min %.0f ms, max %.0f ms%n", n, ms[n / 2], ms[0], ms[n - 1]);
  }
}
