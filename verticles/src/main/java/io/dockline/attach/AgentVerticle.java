package io.dockline.attach;

import static io.dockline.docker.DockerConnection.rootMessage;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import io.dockline.attach.gate.GateRequest;
import io.dockline.attach.gate.StartGate;
import io.dockline.attach.impl.AgentMetrics;
import io.dockline.attach.impl.AgentDirs;
import io.dockline.attach.impl.ContainerReader;
import io.dockline.attach.impl.LossLedger;
import io.dockline.attach.impl.Spool;
import io.dockline.config.DockerEndpoint;
import io.dockline.config.NodeConfig;
import io.dockline.config.NodeConfig.Setting;
import io.dockline.config.NodeStatus;
import io.dockline.docker.DockerConnection;
import io.dockline.docker.EventWatch;
import io.dockline.wire.Addresses;
import io.dockline.wire.ContainerMeta;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Role agent: reads every container of one Docker host. docker-java is the control plane (list, inspect,
 * events: one blocking thread for the event stream, kept up by an {@link EventWatch}); the output streams are
 * read by Vert.x's HTTP client over the Docker socket, on the event loop, so hundreds of containers need no
 * thread each.
 */
public final class AgentVerticle extends VerticleBase {
  /** How long a stopping agent waits for the collectors to acknowledge before it spools the rest. */
  private static final long DRAIN_MS = 5_000;
  private static final Logger LOG = Logger.getLogger(AgentVerticle.class.getName());

  private final NodeConfig config;
  private final AgentDirs dirs;
  private final NodeStatus status;
  private final MeterRegistry registry;
  private final DockerEndpoint endpoint;
  private final DockerConnection dockerConnection;
  private final DockerClient docker;
  private final ContainerFilter filter;
  private final Map<String, ContainerReader> readers = new HashMap<>();
  private HttpClient http;
  private AgentMetrics metrics;
  private Spool spool;
  private LossLedger ledger;
  /** Null unless {@code start-gate=on}. */
  private StartGate gate;
  /** Whether the Docker daemon lists the gate's plugin among its authorization plugins (null: not asked). */
  private Boolean gateInDaemon;
  private String dockerVersion;
  private EventWatch watch;
  private boolean stopped;
  /** When the current event subscription began: starts after it are ones the agent could have raced. */
  private long watchingSinceNanos;

  /** @param docker the node's Docker client, closed by the node */
  public AgentVerticle(NodeConfig config, NodeStatus status, MeterRegistry registry, DockerConnection docker) {
    this.config = config;
    this.dirs = AgentDirs.under(config.dataDir());
    this.status = status;
    this.registry = registry;
    this.dockerConnection = docker;
    this.endpoint = docker.endpoint();
    this.docker = docker.client();
    this.filter = ContainerFilter.create(config.filter(Setting.INCLUDE_LABELS), config.filter(Setting.EXCLUDE_LABELS),
        config.filter(Setting.INCLUDE_NAMES), config.filter(Setting.EXCLUDE_NAMES),
        config.filter(Setting.INCLUDE_IMAGES), config.filter(Setting.EXCLUDE_IMAGES), ownContainerId());
  }

  /** When the agent runs in a container, its id (from the container's bind mounts), so it never reads itself. */
  private static String ownContainerId() {
    try {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("/containers/([0-9a-f]{64})/")
          .matcher(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/mountinfo")));
      return m.find() ? m.group(1) : null;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static final int READ_PIECE_BYTES = 1 << 16;

  @Override
  public Future<?> start() {
    spool = new Spool(context, dirs.spool(), config.agentSpoolBytes(),
        config.agentSpoolDropsNewest() ? Spool.Policy.DROP_NEWEST : Spool.Policy.BLOCK, config.backgroundPriority());
    metrics = new AgentMetrics(registry, config.nodeName(), spool);
    // /health names the agent short of disk while its spool writes fail
    vertx.setPeriodic(1_000, t -> status.shortOfDisk(NodeConfig.Role.AGENT,
        spool.diskFull() ? "spool writes under " + dirs.spool() + " fail; spool policy applies" : null));
    // a stream's bytes reach the reader in pieces of up to 64 KiB (Netty's largest read) instead of the
    // default 8 KiB: a quarter of the per-piece work while a container writes fast
    http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setIdleTimeout(0)
        .setMaxChunkSize(READ_PIECE_BYTES), new PoolOptions().setHttp1MaxSize(10_000));
    status.set(NodeConfig.Role.AGENT, false, "connecting to Docker at " + endpoint);
    // the gate first: a daemon configured with it answers nothing until its plugin socket does
    return openLossLedger().compose(v -> startGate()).onComplete(ar -> watchDocker());
  }

  /** The loss ledger, before any reader: it also tells whether the last run crashed. Answers the gateway. */
  private Future<Void> openLossLedger() {
    return LossLedger.open(vertx, spool, dirs).map(l -> {
      ledger = l;
      ledger.answerOn(Addresses.agentLosses(config.nodeName()));
      return null;
    });
  }

  /** The start gate answers its process's hold requests before any container is read. */
  private Future<Void> startGate() {
    if (!config.startGate()) return Future.succeededFuture();
    gate = new StartGate(vertx, config.startGateSocket(), dirs, config.startGateTimeoutMs(),
        registry, config.nodeName(), this::hold);
    vertx.setPeriodic(3_000, t -> reportReady());
    return gate.start();
  }

  /** The agent role's health: the Docker daemon read, and the start gate's state when it is on. */
  private void reportReady() {
    if (watch == null || !watch.isUp()) return;
    String detail = "reading Docker " + dockerVersion + " at " + endpoint;
    if (gate != null) {
      String plugin = pluginName();
      detail += "; " + gate.state() + (gateInDaemon == null ? "" : Boolean.TRUE.equals(gateInDaemon)
          ? "; Docker calls plugin " + plugin : "; but Docker does not call plugin " + plugin
          + " (add it to \"authorization-plugins\" in daemon.json, see README)");
    }
    status.set(NodeConfig.Role.AGENT, true, detail);
  }

  private String pluginName() {
    String file = config.startGateSocket().getFileName().toString();
    return file.substring(0, file.length() - ".sock".length());
  }

  /** Asks Docker whether it calls the gate's plugin (docker info lists authorization plugins). */
  private Future<Void> checkGateInDaemon() {
    if (gate == null) return Future.succeededFuture();
    return vertx.executeBlocking(() -> {
      java.util.Map<String, java.util.List<String>> plugins = docker.infoCmd().exec().getPlugins();
      java.util.List<String> authz = plugins == null ? null : plugins.get("Authorization");
      return authz != null && authz.contains(pluginName());
    }, false).onSuccess(in -> {
      gateInDaemon = in;
      if (!in) LOG.warning("start-gate is on but Docker does not call plugin " + pluginName()
          + ": starts are not held (add it to \"authorization-plugins\" in daemon.json, see README)");
    }).<Void>mapEmpty().otherwiseEmpty();
  }

  /**
   * A start (or restart) the gate holds: answered once the container's attach stream is open, so it is read
   * from its first line. Containers this agent does not read, and logs-mode ones (their driver keeps the
   * output), are let through at once. A restart is carried out as stop, attach, start: the agent stops the
   * container itself (with the request's timeout), attaches to it stopped, and lets Docker's restart start it.
   */
  private Future<Void> hold(GateRequest request) {
    if (stopped) return Future.succeededFuture();
    return readerFor(request.containerRef()).compose(reader -> {
      if (reader == null) return Future.succeededFuture();
      if (request.action() == GateRequest.Action.START) {
        reader.attach().onFailure(err -> LOG.warning(rootMessage(err)));
        return reader.whenAttachOpenAfter(reader.attachGeneration() - 1);
      }
      int before = reader.attachGeneration();
      reader.expectRestart();
      String id = reader.meta().id();
      return vertx.executeBlocking(() -> {
        try {
          docker.stopContainerCmd(id).withTimeout(request.stopSeconds()).exec();
        } catch (com.github.dockerjava.api.exception.NotModifiedException alreadyStopped) {
          // nothing to stop: the attach opened on the stopped container already
        }
        return null;
      }, false).compose(v -> reader.whenAttachOpenAfter(before)); // unordered: never queued behind other calls
    });
  }

  /**
   * The reader of the container a request names (full id, name, or id prefix, as Docker resolves them),
   * created and attaching when this agent reads that container but has no reader yet; null when it does not.
   */
  private Future<ContainerReader> readerFor(String ref) {
    ContainerReader r = readers.get(ref);
    if (r == null) r = readers.values().stream().filter(x -> ref.equals(x.meta().name())).findFirst().orElse(null);
    if (r == null && ref.length() >= 12) {
      r = readers.entrySet().stream().filter(e -> e.getKey().startsWith(ref)).map(Map.Entry::getValue).findFirst()
          .orElse(null);
    }
    if (r != null) return Future.succeededFuture(r);
    return vertx.executeBlocking(() -> docker.inspectContainerCmd(ref).exec(), false).map(info -> {
      ContainerMeta meta = metaOf(info);
      if (stopped || !filter.accepts(info.getId(), meta.name(), meta.image(), meta.labels())) return null;
      ContainerReader reader = attachReader(info.getId());
      if (reader != null) describe(reader, info); // the inspect just made serves: no second one
      return reader;
    }).otherwise(e -> {
      LOG.fine(() -> "start gate: inspect of a started container failed: " + rootMessage(e));
      return null;
    });
  }

  /**
   * Events first, then the listing, so a container created in between is not missed; the same again after the
   * daemon was away.
   */
  private void watchDocker() {
    if (stopped) return;
    watch = EventWatch.start(context, dockerConnection, List.of("container"),
        "Docker daemon not reachable at " + endpoint, new EventWatch.Role() {
          @Override
          public Future<Void> prepare() {
            return vertx.executeBlocking(() -> {
              docker.pingCmd().exec();
              return docker.versionCmd().exec().getVersion();
            }).map(version -> {
              dockerVersion = version;
              java.time.Instant now = java.time.Instant.now();
              watchingSinceNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
              return null;
            });
          }

          @Override
          public Future<Void> resync() {
            return checkGateInDaemon().compose(v -> readListedContainers()).compose(v -> sendSpoolsOfRemovedContainers());
          }

          @Override
          public void onEvent(Event event) {
            AgentVerticle.this.onEvent(event);
          }

          @Override
          public void onUp() {
            reportReady();
          }

          @Override
          public void onDown(String problem) {
            status.set(NodeConfig.Role.AGENT, false, problem);
          }
        });
  }

  private Future<Void> readListedContainers() {
    return listContainers().map(list -> {
      LOG.info("connected to Docker " + dockerVersion + " at " + endpoint + "; " + list.size() + " containers");
      for (Container c : list) {
        String name = c.getNames() == null || c.getNames().length == 0 ? "" : c.getNames()[0];
        Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
        if (filter.accepts(c.getId(), name, c.getImage(), labels)) onContainerSeen(c.getId(), false);
      }
      return null;
    });
  }

  /** Containers removed while the agent was down may have left spooled lines: they are sent all the same. */
  private Future<Void> sendSpoolsOfRemovedContainers() {
    return spool.containersOnDisk().map(ids -> {
      for (String id : ids) {
        if (stopped || readers.containsKey(id)) continue;
        ContainerReader reader = newReader(id);
        readers.put(id, reader);
        reader.describe(reader.meta(), false); // nothing more will be read: the batches carry their own tags
        reader.whenIdle(() -> forget(id, reader));
      }
      return null;
    });
  }

  private ContainerReader newReader(String id) {
    ContainerReader reader = new ContainerReader(vertx, http, endpoint.address(), metrics, spool, ledger, id,
        config.nodeName(), config.maxLineBytes(), config.agentBufferBytes(), config.multiline());
    reader.setLogsReorderTolerance(config.logsReorderToleranceMs());
    return reader;
  }

  private void forget(String id, ContainerReader reader) {
    if (readers.remove(id, reader)) reader.closeSpool();
  }

  private Future<List<Container>> listContainers() {
    return vertx.executeBlocking(() -> {
      List<Container> out = new ArrayList<>();
      for (Container c : docker.listContainersCmd().withShowAll(true).exec()) {
        // created containers are attached before they start, so nothing they write is missed; a stopped one
        // this agent was reading from its logs (it has a checkpoint) is read to its end
        if ("running".equals(c.getState()) || "created".equals(c.getState()) || "paused".equals(c.getState())
            || java.nio.file.Files.exists(dirs.checkpoint(c.getId()))) {
          out.add(c);
        }
      }
      return out;
    });
  }

  private void onEvent(Event e) {
    String action = e.getAction() == null ? e.getStatus() : e.getAction();
    String id = e.getId();
    if (action == null || id == null || stopped) return;
    if (!readers.containsKey(id) && !acceptedByFilter(e)) return;
    switch (action) {
      case "create":
        onContainerSeen(id, true);
        ContainerReader created = readers.get(id);
        if (created != null) created.markFresh();
        break;
      case "start":
      case "restart":
      case "unpause":
        onContainerSeen(id, true);
        break;
      case "rename": {
        ContainerReader r = readers.get(id);
        String name = e.getActor() == null ? null : e.getActor().getAttributes().get("name");
        if (r != null && name != null) r.rename(name);
        break;
      }
      case "destroy": {
        ContainerReader r = readers.get(id);
        if (r == null) break;
        r.removed();
        r.whenIdle(() -> forget(id, r));
        break;
      }
      default:
        break;
    }
  }

  /** Event attributes carry the container's name, image and labels (flattened among the other attributes). */
  private boolean acceptedByFilter(Event e) {
    Map<String, String> attrs = e.getActor() == null || e.getActor().getAttributes() == null ? Map.of()
        : e.getActor().getAttributes();
    return filter.accepts(e.getId(), attrs.get("name"), attrs.get("image"), attrs);
  }

  /**
   * Attaches to a container unless its stream is already open; one reader per container keeps its order.
   * The stream is opened first and inspect runs beside it: a container started right after its create
   * event must find the stream already attached.
   */
  private void onContainerSeen(String id, boolean fromEvent) {
    ContainerReader reader = attachReader(id);
    if (reader == null) return;
    vertx.executeBlocking(() -> docker.inspectContainerCmd(id).exec()).onComplete(ar -> {
      if (ar.succeeded()) {
        describe(reader, ar.result());
      } else if (!reader.isDescribed()) {
        // gone before inspect answered: keep what it wrote, tagged by id, decoded as the common non-TTY case
        LOG.fine(() -> "inspect " + id + " failed: " + rootMessage(ar.cause()));
        reader.describe(reader.meta(), false);
      }
    });
  }

  /** The container's reader, its attach stream open or opening; null once the agent stopped. */
  private ContainerReader attachReader(String id) {
    if (stopped) return null; // a listing or event that completes after stop() adds no reader
    ContainerReader reader = readers.computeIfAbsent(id, this::newReader);
    // (an open stream is kept; in logs mode a start while the old run is still being read reopens after it)
    reader.attach().onFailure(err -> LOG.warning(rootMessage(err)));
    return reader;
  }

  /** What inspect says of a container: its tags, TTY, reading mode, start time and restart policy. */
  private void describe(ContainerReader reader, InspectContainerResponse info) {
    reader.describe(metaOf(info), info.getConfig() != null && Boolean.TRUE.equals(info.getConfig().getTty()),
        readsLogs(info));
    reader.checkStartedAt(info.getState() == null ? null : info.getState().getStartedAt(), watchingSinceNanos);
    reader.reattachOnExit(restartsByItself(info));
  }

  /** A restart policy other than {@code no}: Docker starts the container again without an API call. */
  private static boolean restartsByItself(InspectContainerResponse info) {
    if (info.getHostConfig() == null || info.getHostConfig().getRestartPolicy() == null) return false;
    String policy = info.getHostConfig().getRestartPolicy().getName();
    return policy != null && !policy.isEmpty() && !"no".equals(policy);
  }

  /** Log drivers whose output the logs endpoint can give back: those containers are read there, resumably. */
  private static final java.util.Set<String> READABLE_DRIVERS = java.util.Set.of("json-file", "local", "journald");
  /** Label that chooses the reading mode: {@code attach} keeps a readable-driver container on attach. */
  public static final String MODE_LABEL = "dockline.mode";

  private static boolean readsLogs(InspectContainerResponse info) {
    Map<String, String> labels = info.getConfig() == null || info.getConfig().getLabels() == null ? Map.of()
        : info.getConfig().getLabels();
    if ("attach".equals(labels.get(MODE_LABEL))) return false;
    if (info.getHostConfig() == null || info.getHostConfig().getLogConfig() == null
        || info.getHostConfig().getLogConfig().getType() == null) {
      return false;
    }
    return READABLE_DRIVERS.contains(info.getHostConfig().getLogConfig().getType().getType());
  }

  private ContainerMeta metaOf(InspectContainerResponse info) {
    Map<String, String> labels = info.getConfig() == null || info.getConfig().getLabels() == null
        ? Map.of() : info.getConfig().getLabels();
    String image = info.getConfig() == null ? info.getImageId() : info.getConfig().getImage();
    return new ContainerMeta(info.getId(), trimSlash(info.getName()), image, config.nodeName(), labels);
  }

  private static String trimSlash(String name) {
    return name != null && name.startsWith("/") ? name.substring(1) : name;
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    Future<Void> watchClosed = watch == null ? Future.succeededFuture() : watch.close();
    // the gate process lets starts through at once from now on
    Future<Void> gateClosed = gate == null ? Future.succeededFuture() : gate.close();
    List<Future<Void>> drains = new ArrayList<>();
    for (ContainerReader r : readers.values()) drains.add(r.stop());
    // what was read is stored before exit if the collectors take it in time; the rest goes to the spool
    // (the drain is short: `docker stop` kills after 10 s)
    io.vertx.core.Promise<Void> drained = io.vertx.core.Promise.promise();
    Future.join(drains).onComplete(ar -> gateClosed.onComplete(x -> watchClosed.onComplete(y -> drained.tryComplete())));
    vertx.setTimer(DRAIN_MS, t -> drained.tryComplete());
    return drained.future().compose(v -> {
      List<Future<Void>> spills = new ArrayList<>();
      for (ContainerReader r : readers.values()) spills.add(r.spillOnStop());
      return Future.join(spills).onComplete(ar -> {
        if (ar.failed()) LOG.severe("spooling on stop failed: " + ar.cause());
      }).otherwiseEmpty();
    }).compose(v -> closeLossLedger()).compose(v -> vertx.executeBlocking(() -> {
      spool.close();
      return null;
    })).eventually(() -> {
      status.set(NodeConfig.Role.AGENT, false, "stopped");
      return http.close();
    });
  }

  /** After the spills (which may count lines lost), before the spool's thread ends: the ledger's files use it. */
  private Future<Void> closeLossLedger() {
    return ledger == null ? Future.succeededFuture() : ledger.close().otherwiseEmpty();
  }
}
