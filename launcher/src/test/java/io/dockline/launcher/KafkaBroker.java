package io.dockline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real single-node Kafka broker (KRaft, one process that is broker and controller) run as a child process of
 * the test JVM, so a test can kill it with SIGKILL and start it again on the same ports and data. It listens on
 * 127.0.0.1 only, on two free ports (clients, controller); its data, server.properties and log (stdout and
 * stderr, {@code broker.log}) lie in the directory the test gives.
 *
 * <p>The child runs {@code kafka.Kafka} on this JVM's own class path (the test class path: the kafka_2.13,
 * kafka-server and kafka-tools test dependencies), or on the class path in system property
 * {@code dockline.kafka.classpath} when set. Internal topics have replication factor 1 and one partition (a
 * single node on a small machine); transaction timeouts keep Kafka's defaults.
 *
 * <p>{@link #close()} kills the broker; a JVM shutdown hook does the same, and the broker itself (run through
 * {@link OrphanGuard}) halts when this JVM is gone, so no broker outlives its test JVM, even one killed with
 * SIGKILL. A class path given in {@code dockline.kafka.classpath} must hold this class's directory too.
 * {@link #main} runs one for scripts (bench/kafka.sh).
 */
final class KafkaBroker implements AutoCloseable {
  /** The cluster id every test broker is formatted with (any 16 bytes, base64url without padding). */
  static final String CLUSTER_ID = "ZG9ja2xpbmUta2Fma2EtMQ";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx512m", "-Djava.awt.headless=true");
  /** Kafka's clients in the test JVM log through slf4j-jdk14: their config dumps at INFO would drown the output. */
  private static final Logger KAFKA_CLIENT_LOG = Logger.getLogger("org.apache.kafka");

  static {
    KAFKA_CLIENT_LOG.setLevel(Level.WARNING);
  }

  final Path dir;
  final Path dataDir;
  final Path logFile;
  final int port;
  final int controllerPort;
  private final List<String> jvmOptions;
  private final Thread killOnExit;
  private Process process;

  private KafkaBroker(Path dir, List<String> jvmOptions) throws IOException {
    this.dir = dir;
    this.dataDir = dir.resolve("data");
    this.logFile = dir.resolve("broker.log");
    this.port = NodeProcess.freePort();
    int controller;
    do {
      controller = NodeProcess.freePort();
    } while (controller == port);
    this.controllerPort = controller;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.killOnExit = new Thread(this::killNow, "kafka-broker-kill-on-exit");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** {@link #start(Path, List)} with a 512 MiB heap. */
  static KafkaBroker start(Path dir) throws Exception {
    return start(dir, DEFAULT_JVM_OPTIONS);
  }

  /**
   * Writes server.properties into {@code dir}, formats the data directory (once: a formatted one is kept),
   * launches the broker with {@code jvmOptions} and returns once it answers an admin client. Fails (and kills
   * the broker) if it exits or does not answer within two minutes; the message carries its log's tail.
   */
  static KafkaBroker start(Path dir, List<String> jvmOptions) throws Exception {
    Files.createDirectories(dir);
    KafkaBroker broker = new KafkaBroker(dir, jvmOptions);
    try {
      broker.writeConfig();
      broker.format();
      broker.launch();
      return broker;
    } catch (Throwable e) {
      broker.close();
      throw e;
    }
  }

  /** Where clients connect: {@code 127.0.0.1:port}. */
  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** The broker's process id while it runs. */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: no flush, no controlled shutdown. Returns once the process has exited. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("kill -9 of the broker did not end it");
  }

  /** Starts the broker again (after {@link #kill9} or {@link #stop}) on the same ports and data; waits until ready. */
  void restart() throws Exception {
    if (isAlive()) throw new IllegalStateException("the broker still runs (pid " + process.pid() + ")");
    launch();
  }

  /** Kills the broker (SIGKILL: tests keep nothing of a broker they stop) and waits for it to exit. */
  void stop() {
    killNow();
  }

  /** {@link #stop}, and the shutdown hook is no longer needed. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shutdownUnderWay) {
      // the hook runs or has run: it kills the same process
    }
  }

  /** Creates {@code topic} with {@code partitions} partitions, replication factor 1. */
  void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
  }

  /** An admin client of this broker with short timeouts; the caller closes it. */
  Admin admin() {
    return Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
  }

  /** The last {@code lines} lines of the broker's log (for a failing test's message). */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no broker log: " + e + ")";
    }
  }

  private void writeConfig() throws IOException {
    Properties p = new Properties();
    p.setProperty("node.id", "1");
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dataDir.toString());
    // one node: every internal topic at replication factor 1, or its creation waits for brokers that never come
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    // one partition each instead of 50: two cores create and load them faster, and one node gains nothing
    p.setProperty("offsets.topic.num.partitions", "1");
    p.setProperty("transaction.state.log.num.partitions", "1");
    p.setProperty("share.coordinator.state.topic.num.partitions", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("num.partitions", "1");
    p.setProperty("auto.create.topics.enable", "false");
    try (var out = Files.newBufferedWriter(configFile())) {
      p.store(out, "written by KafkaBroker (dockline tests)");
    }
  }

  private Path configFile() {
    return dir.resolve("server.properties");
  }

  /** kafka-storage format, unless the data directory already is. */
  private void format() throws Exception {
    if (Files.exists(dataDir.resolve("meta.properties"))) return;
    List<String> cmd = java("kafka.tools.StorageTool", "format", "--cluster-id", CLUSTER_ID,
        "--config", configFile().toString(), "--ignore-formatted");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("format.log").toFile())).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kafka-storage format did not end within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("kafka-storage format exited " + p.exitValue() + ":\n"
          + Files.readString(dir.resolve("format.log")));
    }
  }

  private void launch() throws Exception {
    // through OrphanGuard: the broker halts when this JVM ends, however it ends
    process = new ProcessBuilder(java(OrphanGuard.class.getName(), "kafka.Kafka", configFile().toString()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    awaitReady();
  }

  /**
   * Waits until the broker accepts connections on its client port (it opens it once unfenced: after a SIGKILL,
   * once the controller let the old registration's session expire, broker.session.timeout.ms, 9 s), then until
   * it lists itself to an admin client (describeCluster). An admin client started before the port opens would
   * only log a warning per refused connection.
   */
  private void awaitReady() throws Exception {
    long end = System.nanoTime() + READY_TIMEOUT.toNanos();
    String last = "its client port never accepted a connection";
    while (System.nanoTime() < end && !accepts()) Thread.sleep(100);
    try (Admin admin = admin()) {
      while (System.nanoTime() < end) {
        try {
          if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) return;
          last = "no node yet";
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          last = e.toString();
        }
        exitedYet();
        Thread.sleep(100);
      }
    }
    killNow();
    throw new AssertionError("the broker did not answer within " + READY_TIMEOUT.toSeconds() + " s (" + last
        + "):\n" + logTail(60));
  }

  /** Whether the client port takes a TCP connection; fails if the broker exited. */
  private boolean accepts() {
    exitedYet();
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private void exitedYet() {
    if (!process.isAlive()) {
      throw new AssertionError("the broker exited (" + process.exitValue() + "):\n" + logTail(60));
    }
  }

  /** {@code java <jvm options> -cp <class path> mainClass args}. */
  private List<String> java(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("dockline.kafka.classpath", System.getProperty("java.class.path")));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void killNow() {
    Process p = process;
    if (p == null || !p.isAlive()) return;
    p.destroyForcibly();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs a broker for a script: {@code KafkaBroker DIR [JVM_OPTION...]} prints {@code bootstrap HOST:PORT} and
   * {@code started_ms N} once it is ready, then runs until this JVM gets SIGTERM or SIGINT or the process that
   * started it exits; either way the broker is killed.
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: KafkaBroker DIR [JVM_OPTION...]");
      System.exit(2);
    }
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
    List<String> options = args.length > 1 ? List.of(args).subList(1, args.length) : DEFAULT_JVM_OPTIONS;
    long t0 = System.nanoTime();
    KafkaBroker broker = start(Path.of(args[0]).toAbsolutePath(), options);
    System.out.printf("bootstrap %s%nstarted_ms %d%n", broker.bootstrap(), (System.nanoTime() - t0) / 1_000_000);
    System.out.flush();
    Thread.currentThread().join(); // until System.exit: the shutdown hook kills the broker
  }
}
