package io.dockline.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/** A dockline node started from the fat jar as a separate process, and its HTTP API. */
final class NodeProcess implements AutoCloseable {
  static final Path JAR = Path.of(System.getProperty("dockline.jar", "target/dockline.jar"));

  final String name;
  final Path dataDir;
  final Path logFile;
  final int httpPort;
  final int clusterPort;
  private final List<String> extraArgs;
  /** The node's working directory (where a relative path it writes would land); null: the test's own. */
  Path workingDir;
  /** Members of one test cluster share a name; by default each node is a cluster of its own. */
  String clusterName;
  /** What the java command runs under (e.g. {@code ip netns exec NS}) and its JVM options. */
  final List<String> launcher = new ArrayList<>();
  final List<String> jvmOptions = new ArrayList<>();
  /** The test nodes' heap bound; null runs the jar as users do, with no JVM flag (the node picks its JVM). */
  String heapBound = "-Xmx1g";
  /** Where its HTTP API answers (its --http-host). */
  String httpHost = "127.0.0.1";
  private Process process;
  private String scheme = "http";
  private HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  NodeProcess(String name, Path workDir, String... extraArgs) throws IOException {
    this.name = name;
    this.dataDir = workDir.resolve(name + "-data");
    this.logFile = workDir.resolve(name + ".log");
    this.httpPort = freePort();
    this.clusterPort = freePort();
    this.extraArgs = new ArrayList<>(List.of(extraArgs));
    this.clusterName = "it-" + name + "-" + ProcessHandle.current().pid();
  }

  /**
   * A port no one listens on, below the kernel's ephemeral range (32768+): a port the kernel hands out for
   * {@code bind(0)} can be taken by any outgoing connection between this pick and the node's own bind.
   * Each test JVM walks its own stretch of the range (by fork number, or by pid outside failsafe) so parallel
   * forks do not pick alike.
   */
  static int freePort() throws IOException {
    for (int tries = 0; tries < PORT_SPAN; tries++) {
      int port = PORT_LOW + Math.floorMod(nextPort.getAndIncrement(), PORT_SPAN);
      if (bindable(port)) {
        return port;
      }
    }
    throw new IOException("no free port in " + PORT_LOW + ".." + (PORT_LOW + PORT_SPAN));
  }

  private static final int PORT_LOW = 20000;
  private static final int PORT_SPAN = 12000;
  private static final java.util.concurrent.atomic.AtomicInteger nextPort =
      new java.util.concurrent.atomic.AtomicInteger(Integer.getInteger("dockline.fork", 0) > 0
          ? (Integer.getInteger("dockline.fork") - 1) % 4 * (PORT_SPAN / 4)
          : (int) (ProcessHandle.current().pid() * 397 % PORT_SPAN));

  private static boolean bindable(int port) {
    try (ServerSocket any = new ServerSocket()) {
      any.setReuseAddress(true);
      any.bind(new java.net.InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The jar run to its end with these arguments (a bad command line, a client command): exit status and output. */
  static String[] runJar(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(Deadlines.killAfter(p, 60).getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("java -jar " + String.join(" ", args) + " did not end within 60 s");
    }
    return new String[] {String.valueOf(p.exitValue()), out};
  }

  /** Makes {@code a} and {@code b} members of one test cluster named {@code cluster}, each joining the other. */
  static void pair(String cluster, NodeProcess a, NodeProcess b) {
    a.clusterName = cluster;
    b.clusterName = cluster;
    a.addArgs("--join", "127.0.0.1:" + b.clusterPort);
    b.addArgs("--join", "127.0.0.1:" + a.clusterPort);
  }

  /** Makes {@code members} one test cluster named {@code cluster}, each joining all of them. */
  static void cluster(String cluster, java.util.Collection<NodeProcess> members) {
    StringBuilder join = new StringBuilder();
    for (NodeProcess p : members) join.append(join.length() == 0 ? "" : ",").append("127.0.0.1:").append(p.clusterPort);
    for (NodeProcess p : members) {
      p.clusterName = cluster;
      p.addArgs("--join", join.toString());
    }
  }

  NodeProcess addArgs(String... args) {
    extraArgs.addAll(List.of(args));
    return this;
  }

  /** Talks HTTPS to this node's gateway (which has --http-tls-key and --http-tls-cert), trusting {@code tls}'s CAs. */
  NodeProcess https(SSLContext tls) {
    scheme = "https";
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(tls).build();
    return this;
  }

  /** The gateway's base URL. */
  String url() {
    return scheme + "://" + httpHost + ":" + httpPort;
  }

  NodeProcess start() throws IOException {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add("java");
    if (heapBound != null) cmd.add(heapBound);
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR.toAbsolutePath().toString(),
        "--node-name", name, "--data-dir", dataDir.toString(), "--http-port", String.valueOf(httpPort),
        "--cluster-port", String.valueOf(clusterPort), "--cluster-name", clusterName));
    cmd.addAll(extraArgs);
    if (extraArgs.stream().noneMatch(a -> a.startsWith("--include-") || a.equals("--conf"))) {
      // only this test JVM's containers: integration tests run in parallel forks against one daemon
      cmd.addAll(List.of("--include-labels", Docker.RUN_LABEL));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    if (workingDir != null) pb.directory(workingDir.toFile());
    process = pb.start();
    return this;
  }

  /** Waits until /health answers with the expected status. */
  JsonObject awaitHealth(int expectedStatus, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    String last = "no answer";
    while (System.currentTimeMillis() < end) {
      if (!process.isAlive()) throw new AssertionError("node exited: " + log());
      try {
        HttpResponse<String> r = get("/health");
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == expectedStatus) return new JsonObject(r.body());
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("health never " + expectedStatus + ": " + last + "\n" + log());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url() + path))
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonArray containers() throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/containers");
    if (r.statusCode() != 200) throw new AssertionError("/api/containers: " + r.statusCode() + " " + r.body());
    return new JsonArray(r.body());
  }

  JsonObject container(String id) throws IOException, InterruptedException {
    for (Object o : containers()) if (((JsonObject) o).getString("id").equals(id)) return (JsonObject) o;
    return null;
  }

  /** Waits until the container's stored lastSeq reaches {@code seq}. */
  void awaitStored(String id, long seq, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    JsonObject c = null;
    while (System.currentTimeMillis() < end) {
      c = container(id);
      if (c != null && c.getLong("lastSeq") >= seq) return;
      Thread.sleep(250);
    }
    throw new AssertionError("container " + id + " stored " + c + ", expected lastSeq " + seq);
  }

  /** The sum of a Prometheus metric's samples on this node. */
  double metric(String name) throws IOException, InterruptedException {
    double sum = 0;
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /**
   * Starts created containers once the node has attached to them: attach keeps no history, so a container
   * that must be read from its first line is attached before it starts.
   */
  void startWhenAttached(String... ids) throws Exception {
    long end = System.currentTimeMillis() + 30_000;
    double open = 0;
    while (System.currentTimeMillis() < end) {
      open = metric("dockline_attach_streams_open");
      if (open >= ids.length + baselineStreams) break;
      Thread.sleep(50);
    }
    if (open < ids.length + baselineStreams) throw new AssertionError("node attached to " + open + " streams");
    Docker.start(ids);
  }

  /** Streams already open (containers running before a test); set by tests that count attaches. */
  int baselineStreams;

  /** Every stored line of a container, read page by page. */
  List<JsonObject> allLines(String idOrName) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    long after = 0;
    while (true) {
      HttpResponse<String> r = get("/api/containers/" + idOrName + "/logs?after=" + after + "&limit=100000");
      if (r.statusCode() != 200) throw new AssertionError("logs: " + r.statusCode() + " " + r.body());
      String body = r.body();
      if (body.isEmpty()) return out;
      for (String line : body.split("\n")) {
        JsonObject o = new JsonObject(line);
        out.add(o);
        after = o.getLong("seq");
      }
    }
  }

  /** SIGTERM, then waits for the process to exit. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("node did not stop within 90 s on SIGTERM");
    }
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  /** SIGSTOP: the process holds its connections open and answers nothing until {@link #kill9()} or SIGCONT. */
  void freeze() throws IOException, InterruptedException {
    Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).inheritIO().start();
    if (stop.waitFor() != 0) throw new AssertionError("kill -STOP of " + name + " failed");
  }

  /** SIGKILL: the process gets no chance to drain or leave the cluster. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("kill -9 of " + name + " did not end it");
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  String log() {
    try {
      return Files.readString(logFile);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
