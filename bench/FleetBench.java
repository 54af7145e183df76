import io.dockline.config.NodeConfig;
import io.dockline.launcher.Node;
import io.dockline.wire.Addresses;
import io.dockline.wire.BatchAck;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatch;
import io.dockline.wire.StreamKind;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Fleet benchmark (run by bench/fleet.sh): 3-5 collectors as real processes (collector and gateway roles, data
 * members), and agent members as Hazelcast lite members, many per JVM (this one): each a real Node with the router
 * role, fed synthetic streams through its router (LineBatch and BatchAck over the event bus and its codecs, acked
 * once the collectors stored and fsynced them), no Docker. The fleet grows step by step; each step prints join
 * time (Hazelcast join and start, and until the new routers route by the current ring), the time for a killed
 * member (kill -9 of an agent member in a JVM of its own) to be noticed by every member and its streams to leave
 * the ring, CPU, heap and threads per member, the cluster-map operations per second the data members count
 * (dockline_cluster_map_operations_total, by map), and lines/s acked, every stream's last seq then verified
 * against what the collectors hold. Every wait is bounded; a failed check ends the run with exit code 1.
 *
 * <p>Arguments: --jar PATH --sizes 25,50 --collectors 3 --streams 2 --lines-per-second 20 --window 30.
 * {@code --victim ...} is the killed member's own mode (started by the bench).
 */
public class FleetBench {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final byte[] LINE = "fleet-bench line of a synthetic stream, about one hundred bytes long, like a log line...."
      .getBytes(StandardCharsets.UTF_8);

  final Map<String, String> opts = new HashMap<>();
  String cluster = "fleet" + Long.toString(System.nanoTime() % 1_000_000, 36);
  final int basePort = 21000 + (int) (System.nanoTime() % 500) * 10;
  final List<Process> collectors = new ArrayList<>();
  final List<Integer> collectorHttp = new ArrayList<>();
  final List<String> join = new ArrayList<>();
  final List<Member> members = new ArrayList<>();
  int nCollectors;
  Path work;

  public static void main(String[] args) throws Exception {
    FleetBench b = new FleetBench();
    for (int i = 0; i + 1 < args.length; i += 2) b.opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    if (b.opts.containsKey("victim")) {
      try {
        b.victim();
      } catch (Throwable e) {
        System.out.println("VICTIM-FAIL " + e);
        System.exit(1);
      }
      return;
    }
    // the collectors end with this JVM however it ends (System.exit skips a finally block)
    Runtime.getRuntime().addShutdownHook(new Thread(() -> b.collectors.forEach(FleetBench::kill)));
    try {
      b.run();
      System.exit(0);
    } catch (Throwable e) {
      System.out.println("FAIL: " + e.getMessage());
      e.printStackTrace();
      System.exit(1);
    }
  }

  int opt(String k, int d) { return Integer.parseInt(opts.getOrDefault(k, Integer.toString(d))); }

  // ------------------------------------------------------------------ one agent member and its streams

  /** An agent member: a Node (router role, lite member) and the streams it sends. */
  static final class Member {
    final Node node;
    final List<Stream> streams = new ArrayList<>();
    Member(Node node) { this.node = node; }
    Vertx vertx() { return node.vertx(); }
    double gauge(String name) {
      Gauge g = node.meters().find(name).gauge();
      return g == null ? Double.NaN : g.value();
    }
    Set<String> clusterNodes() { return new HashSet<>(((VertxInternal) vertx()).clusterManager().getNodes()); }
  }

  /** A synthetic container stream: a batch every period, one in flight, sent again as is until acknowledged. */
  static final class Stream {
    final Vertx vertx;
    final ContainerMeta meta;
    final int linesPerBatch;
    final long periodMs;
    long nextSeq = 1;
    final AtomicLong acked = new AtomicLong();
    volatile boolean paused;
    volatile boolean inFlight;
    volatile long failures;

    Stream(Vertx vertx, String host, String id, int linesPerSecond) {
      this.vertx = vertx;
      this.meta = new ContainerMeta(id, "fleet-" + id.substring(0, 8), "fleet", host, Map.of());
      this.periodMs = 500;
      this.linesPerBatch = Math.max(1, linesPerSecond / 2);
    }

    void start() { vertx.runOnContext(v -> next()); }

    private void next() {
      if (paused) {
        vertx.setTimer(100, t -> next());
        return;
      }
      send(batch(nextSeq, linesPerBatch));
    }

    private void send(LineBatch b) {
      inFlight = true;
      vertx.eventBus().<BatchAck>request(Addresses.ROUTER_BATCH, b, new DeliveryOptions().setSendTimeout(15_000))
          .onComplete(ar -> {
            inFlight = false;
            if (ar.succeeded()) {
              nextSeq += b.count();
              acked.addAndGet(b.count());
              vertx.setTimer(periodMs, t -> next());
            } else {
              failures++;
              vertx.setTimer(500, t -> send(b));
            }
          });
    }

    private LineBatch batch(long firstSeq, int n) {
      long[] times = new long[n];
      byte[] kinds = new byte[n];
      byte[] flags = new byte[n];
      int[] offsets = new int[n + 1];
      byte[] data = new byte[n * LINE.length];
      long now = System.currentTimeMillis() * 1_000_000L;
      for (int i = 0; i < n; i++) {
        times[i] = now + i;
        kinds[i] = StreamKind.STDOUT.code();
        System.arraycopy(LINE, 0, data, i * LINE.length, LINE.length);
        offsets[i + 1] = (i + 1) * LINE.length;
      }
      return new LineBatch(meta, firstSeq, n, times, kinds, flags, offsets, data);
    }
  }

  NodeConfig agentConfig(String name, int port, Path dir) {
    Map<String, String> s = new HashMap<>();
    s.put("node-name", name);
    s.put("roles", "router");
    s.put("cluster-name", cluster);
    s.put("cluster-host", "127.0.0.1");
    s.put("cluster-port", Integer.toString(port));
    s.put("join", String.join(",", join));
    s.put("data-dir", dir.toString());
    s.put("replication-factor", opts.getOrDefault("replication-factor", "2"));
    return NodeConfig.resolve(s);
  }

  Member startMember(String name, int port) throws Exception {
    Node node = Node.start(agentConfig(name, port, work.resolve(name)))
        .toCompletionStage().toCompletableFuture().get(180, TimeUnit.SECONDS);
    return new Member(node);
  }

  void startStreams(Member m, String name, int count, int linesPerSecond) {
    for (int i = 0; i < count; i++) {
      String id = String.format("%016x%048x", (long) name.hashCode() * 31 + i, (long) i).replace(' ', '0');
      Stream s = new Stream(m.vertx(), name, id, linesPerSecond);
      m.streams.add(s);
      s.start();
    }
  }

  /** Victim mode: one agent member with its streams in a JVM of its own, until killed. */
  void victim() throws Exception {
    work = Path.of(opts.get("work"));
    cluster = opts.get("cluster");
    join.addAll(Arrays.asList(opts.get("join").split(",")));
    Member m = startMember(opts.get("victim"), Integer.parseInt(opts.get("port")));
    startStreams(m, opts.get("victim"), opt("streams", 2), opt("lines-per-second", 20));
    await(() -> m.streams.stream().allMatch(s -> s.acked.get() > 0), 60_000, "victim's first lines acked");
    System.out.println("VICTIM-READY " + ((VertxInternal) m.vertx()).clusterManager().getNodeId());
    Thread.sleep(Long.MAX_VALUE);
  }

  // ------------------------------------------------------------------ the run

  void run() throws Exception {
    work = Files.createTempDirectory("dockline-fleet");
    String jar = opts.getOrDefault("jar", "launcher/target/dockline.jar");
    nCollectors = opt("collectors", 3);
    int streams = opt("streams", 2);
    int lps = opt("lines-per-second", 20);
    int window = opt("window", 30);
    int[] sizes = Arrays.stream(opts.getOrDefault("sizes", "25,50").split(",")).mapToInt(Integer::parseInt).toArray();
    for (int c = 0; c < nCollectors; c++) join.add("127.0.0.1:" + (basePort + c));
    for (int c = 0; c < nCollectors; c++) {
      int http = basePort + 900 + c;
      collectorHttp.add(http);
      List<String> cmd = new ArrayList<>(List.of("java", "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar,
          "--node-name", "c" + (c + 1), "--roles", "collector,gateway", "--cluster-name", cluster,
          "--cluster-host", "127.0.0.1", "--cluster-port", Integer.toString(basePort + c), "--join", String.join(",", join),
          "--http-port", Integer.toString(http), "--data-dir", work.resolve("c" + (c + 1)).toString()));
      collectors.add(new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(work.resolve("c" + (c + 1) + ".log").toFile()).start());
    }
    System.out.printf("cluster %s: %d collectors (data members, own JVMs, -Xmx256m), agent members in this JVM "
        + "(-Xmx %d MB), %d streams each at %d lines/s, windows of %d s; work dir %s%n", cluster, nCollectors,
        Runtime.getRuntime().maxMemory() >> 20, streams, lps, window, work);
    // no router runs yet to answer /api/ring: each collector says it is ready; the routers then check the ring
    await(() -> collectorHttp.stream().allMatch(h -> get(h, "/health") != null), 180_000, "every collector ready");

    long baseHeap = usedHeap();
    int baseThreads = ManagementFactory.getThreadMXBean().getThreadCount();
    System.out.println("agents | start s (p50/max) | ring agreed s | one more joins: on the ring s / first ack s"
        + " | death noticed s | ring without its streams s"
        + " | CPU ms/s per agent | heap MB per agent | threads per agent | collectors CPU % | collector RSS MB"
        + " | map ops/s | map ops per agent per min | lines/s acked | verified streams");
    int port = basePort + 20;
    for (int size : sizes) {
      // --- join: the new members start together; each is done once its router routes by the current ring
      int from = members.size();
      List<Future<Node>> starting = new ArrayList<>();
      List<Long> startNanos = new ArrayList<>();
      long t0 = System.nanoTime();
      long versionBefore = (long) maxVersion();
      for (int i = from; i < size; i++) {
        startNanos.add(System.nanoTime());
        starting.add(Node.start(agentConfig("a" + i, port++, work.resolve("a" + i))));
      }
      List<Double> started = new ArrayList<>();
      for (int i = 0; i < starting.size(); i++) {
        Node n = starting.get(i).toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
        started.add((System.nanoTime() - startNanos.get(i)) / 1e9);
        members.add(new Member(n));
      }
      await(() -> members.stream().allMatch(m -> m.gauge("dockline.ring.collectors") == nCollectors
          && m.gauge("dockline.ring.version") >= versionBefore), 120_000, "every router on the ring");
      double agreed = (System.nanoTime() - t0) / 1e9;
      for (int i = from; i < size; i++) startStreams(members.get(i), "a" + i, streams, lps);
      await(() -> members.stream().allMatch(m -> m.streams.stream().allMatch(s -> s.acked.get() > 0)), 120_000,
          "every stream's first lines acked");

      // --- a death: an agent member in its own JVM, killed -9
      double[] death = death(jar, port++, streams, lps);

      // --- one more member joins the running fleet, then leaves
      double[] one = oneJoin(port++, lps);

      // --- steady window
      Thread.sleep(5_000);
      Map<String, Double> ops0 = mapOps();
      long cpu0 = processCpuNanos();
      long[] collCpu0 = collectorsCpuTicks();
      long acked0 = acked();
      long w0 = System.nanoTime();
      Thread.sleep(window * 1000L);
      double secs = (System.nanoTime() - w0) / 1e9;
      long acked1 = acked();
      long cpu1 = processCpuNanos();
      long[] collCpu1 = collectorsCpuTicks();
      Map<String, Double> ops1 = mapOps();
      int n = members.size();
      System.gc();
      Thread.sleep(500);
      double heapPer = (usedHeap() - baseHeap) / (double) n / (1 << 20);
      double threadsPer = (ManagementFactory.getThreadMXBean().getThreadCount() - baseThreads) / (double) n;
      double cpuPer = (cpu1 - cpu0) / 1e6 / secs / n;
      double collPct = 0;
      for (int c = 0; c < collCpu0.length; c++) collPct += (collCpu1[c] - collCpu0[c]) / 100.0 / secs * 100;
      collPct /= collCpu0.length;
      double opsTotal = 0;
      Map<String, Double> perMap = new TreeMap<>();
      for (Map.Entry<String, Double> e : ops1.entrySet()) {
        double d = (e.getValue() - ops0.getOrDefault(e.getKey(), 0.0)) / secs;
        perMap.put(e.getKey(), d);
        opsTotal += d;
      }

      // --- verify: senders pause, every stream's last seq as the collectors hold it is what was acked
      int verified = verify();
      for (Member m : members) m.streams.forEach(s -> s.paused = false);
      System.out.printf("%6d | %.1f/%.1f | %.1f | %.1f / %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f | %.0f | %d%n",
          n, median(started), started.stream().mapToDouble(d -> d).max().orElse(0), agreed, one[0], one[1], death[0], death[1],
          cpuPer, heapPer, threadsPer, collPct, collectorsRssMb(), opsTotal, opsTotal * 60 / n,
          (acked1 - acked0) / secs, verified);
      StringBuilder maps = new StringBuilder("        map ops/s:");
      perMap.forEach((k, v) -> { if (v >= 0.05) maps.append(String.format(" %s=%.1f", k, v)); });
      System.out.println(maps);
      long failures = members.stream().flatMap(m -> m.streams.stream()).mapToLong(s -> s.failures).sum();
      if (failures > 0) System.out.println("        batches refused or unanswered (sent again): " + failures);
    }
  }

  /**
   * One more agent member joins the running fleet: seconds from its start until its router routes by the current
   * ring, and until its first batch is acknowledged; it then leaves (stopped), not counted in the fleet.
   */
  double[] oneJoin(int port, int lps) throws Exception {
    long version = (long) maxVersion();
    long t0 = System.nanoTime();
    Member m = startMember("join-" + port, port);
    await(() -> m.gauge("dockline.ring.collectors") == nCollectors && m.gauge("dockline.ring.version") >= version,
        60_000, "the joined member's router on the ring");
    double onRing = (System.nanoTime() - t0) / 1e9;
    startStreams(m, "join-" + port, 1, lps);
    await(() -> m.streams.get(0).acked.get() > 0, 60_000, "the joined member's first batch acked");
    double acked = (System.nanoTime() - t0) / 1e9;
    m.streams.forEach(st -> st.paused = true);
    m.node.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new double[] {onRing, acked};
  }

  /**
   * Starts an agent member in a JVM of its own, waits until its streams are stored, kills it -9; returns the
   * seconds until every member here no longer has it in its cluster view, and until its streams left the ring.
   */
  double[] death(String jar, int port, int streams, int lps) throws Exception {
    String name = "victim" + port;
    Process p = new ProcessBuilder("java", "-Xms16m", "-Xmx128m", "-XX:+UseSerialGC", "-cp", jar,
        "bench/FleetBench.java", "--victim", name, "--cluster", cluster, "--port", Integer.toString(port), "--join", String.join(",", join),
        "--work", work.toString(), "--streams", Integer.toString(streams), "--lines-per-second", Integer.toString(lps))
        .redirectErrorStream(true).start();
    String memberId = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      long until = System.currentTimeMillis() + 180_000;
      String line;
      java.util.Deque<String> tail = new java.util.ArrayDeque<>();
      while (System.currentTimeMillis() < until && (line = r.readLine()) != null) {
        if (line.startsWith("VICTIM-READY ")) {
          memberId = line.substring(13).trim();
          break;
        }
        tail.add(line);
        if (tail.size() > 30) tail.removeFirst();
        if (line.startsWith("VICTIM-FAIL")) break;
      }
      if (memberId == null) {
        throw new AssertionError("the victim member did not start within 180 s:\n" + String.join("\n", tail));
      }
      String id = memberId;
      await(() -> members.stream().allMatch(m -> m.clusterNodes().contains(id)), 30_000, "every member sees the victim");
      int others = members.stream().mapToInt(m -> m.streams.size()).sum();
      await(() -> ringStreams() == others + streams, 60_000, "every stream, the victim's too, on the published ring");
      long t0 = System.nanoTime();
      kill(p);
      await(() -> members.stream().noneMatch(m -> m.clusterNodes().contains(id)), 120_000, "the victim's death noticed");
      double noticed = (System.nanoTime() - t0) / 1e9;
      // its loads expire (TTL 20 s), the leader publishes a ring without its streams, every router reads it
      await(() -> ringStreams() == others, 120_000, "the victim's streams off the published ring");
      long version = getJson(collectorHttp.get(0), "/api/ring").getLong("version", Long.MAX_VALUE);
      await(() -> members.stream().allMatch(m -> m.gauge("dockline.ring.version") >= version), 30_000,
          "every router on the ring without the victim's streams");
      return new double[] {noticed, (System.nanoTime() - t0) / 1e9};
    } finally {
      kill(p);
      new Thread(() -> { try { p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()); } catch (Exception e) { } }).start();
    }
  }

  /** Streams on the published ring (the leader's stream counts per collector, /api/ring); -1 unreadable. */
  int ringStreams() {
    JsonObject ring = getJson(collectorHttp.get(0), "/api/ring");
    if (ring == null || ring.getLong("version") == null) return -1;
    int n = 0;
    for (Object c : ring.getJsonArray("collectors")) n += ((JsonObject) c).getInteger("streams", 0);
    return n;
  }

  int verify() throws Exception {
    for (Member m : members) m.streams.forEach(s -> s.paused = true);
    await(() -> members.stream().allMatch(m -> m.streams.stream().noneMatch(s -> s.inFlight)), 60_000,
        "senders paused");
    int ok = 0;
    for (Member m : members) {
      for (Stream s : m.streams) {
        long want = s.nextSeq - 1;
        JsonObject r = m.vertx().eventBus().<JsonObject>request(Addresses.ROUTER_LAST_SEQ,
                new JsonObject().put("containerId", s.meta.id()), new DeliveryOptions().setSendTimeout(15_000))
            .map(x -> x.body()).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        long stored = r.getLong("lastSeq");
        if (stored != want) {
          throw new AssertionError("stream " + s.meta.id() + " of " + s.meta.host() + ": " + want
              + " lines acked, the collectors hold through seq " + stored);
        }
        ok++;
      }
    }
    return ok;
  }

  // ------------------------------------------------------------------ measures

  long acked() { return members.stream().flatMap(m -> m.streams.stream()).mapToLong(s -> s.acked.get()).sum(); }

  double maxVersion() {
    return members.stream().mapToDouble(m -> m.gauge("dockline.ring.version")).max().orElse(-1);
  }

  static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  long[] collectorsCpuTicks() throws Exception {
    long[] out = new long[collectors.size()];
    for (int i = 0; i < out.length; i++) {
      String[] f = Files.readString(Path.of("/proc/" + collectors.get(i).pid() + "/stat")).split("\\) ")[1].split(" ");
      out[i] = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
    return out;
  }

  double collectorsRssMb() throws Exception {
    double sum = 0;
    for (Process p : collectors) {
      for (String l : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
        if (l.startsWith("VmRSS:")) sum += Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return sum / collectors.size();
  }

  /**
   * dockline_cluster_map_operations_total by map (Hazelcast counts at the caller), summed over every member: the
   * agent members here and the collectors.
   */
  Map<String, Double> mapOps() {
    Map<String, Double> out = new HashMap<>();
    for (Member m : members) {
      m.node.meters().find("dockline.cluster.map.operations").functionCounters()
          .forEach(c -> out.merge(c.getId().getTag("map"), c.count(), Double::sum));
    }
    for (int http : collectorHttp) {
      String body = get(http, "/metrics");
      if (body == null) continue;
      for (String l : body.split("\n")) {
        if (!l.startsWith("dockline_cluster_map_operations_total{")) continue;
        int m = l.indexOf("map=\"");
        String map = l.substring(m + 5, l.indexOf('"', m + 5));
        out.merge(map, Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)), Double::sum);
      }
    }
    return out;
  }

  static JsonObject getJson(int http, String path) {
    String body = get(http, path);
    try {
      return body == null ? null : new JsonObject(body);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static String get(int http, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (Exception e) {
      return null;
    }
  }

  static void await(BooleanSupplier done, long timeoutMs, String what) throws InterruptedException {
    long until = System.currentTimeMillis() + timeoutMs;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > until) throw new AssertionError(what + ": not within " + timeoutMs / 1000 + " s");
      Thread.sleep(50);
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.isEmpty() ? 0 : s.get(s.size() / 2);
  }

  static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }
}
