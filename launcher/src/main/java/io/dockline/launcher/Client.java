package io.dockline.launcher;

import io.dockline.config.TlsFiles;
import io.dockline.config.Printable;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;

/**
 * The command-line client in the node's jar: {@code logs}, {@code status} and {@code purge} against a gateway's
 * HTTP API.
 * Exit status: 0 done, 1 the node refused or could not be reached (one line on stderr says why), 2 usage.
 */
final class Client {
  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** A failure the user sees as one line, with the exit status to give. */
  static final class Failure extends Exception {
    final int exit;

    Failure(int exit, String message) {
      super(message);
      this.exit = exit;
    }
  }

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  /** Built on first use, once the options (--tls-ca) are read. */
  private HttpClient http;
  private String url = DEFAULT_URL;
  private String token;
  private String tlsCa;
  private boolean json;
  /** Container output as it is, control characters and all (default: escaped, see {@link Printable}). */
  private boolean raw;

  Client(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.token = env.get("DOCKLINE_AUTH_TOKEN");
    this.tlsCa = env.get("DOCKLINE_TLS_CA");
  }

  static boolean isCommand(String[] args) {
    return args.length > 0 && (args[0].equals("logs") || args[0].equals("status") || args[0].equals("purge"));
  }

  int run(String[] args) {
    try {
      if (args[0].equals("logs")) logs(args);
      else if (args[0].equals("purge")) purge(args);
      else status(args);
      return 0;
    } catch (Failure f) {
      err.println("dockline: " + Printable.escape(f.getMessage()));
      return f.exit;
    }
  }

  static String usage() {
    return "Client commands (against a node's HTTP API):\n"
        + "  java -jar dockline.jar logs [-f] [--since T] [--until T] [--tail N] [--grep TEXT] [-t] [--json] [--raw] CONTAINER\n"
        + "      print a container's lines (stdout lines on stdout, stderr lines on stderr); -f follows;\n"
        + "      control characters (ESC, CR, ...) are shown escaped unless --raw;\n"
        + "      T is RFC 3339, Unix seconds or an age such as 10m; -t prefixes each line with its time\n"
        + "  java -jar dockline.jar logs [--service S] [--project P] [--label K[=V]]... [--host H] [--image I]\n"
        + "      [--name PART] [--grep TEXT] [--regex RE] [--level L,..] [--stream stdout|stderr] [--no-prefix]\n"
        + "      [-f] [--since T] [--until T] [-t] [--json] [--raw] [CONTAINER...]\n"
        + "      the lines of every container the selectors match (all of them; --label repeats), or of several\n"
        + "      containers, merged by time, each prefixed by its container's name ('web-1  | text');\n"
        + "      -f follows them all, including containers that start later\n"
        + "  java -jar dockline.jar status [--json]\n"
        + "      cluster members and their roles, the ring, containers; exit 1 when a member is not ready\n"
        + "  java -jar dockline.jar purge (--through SEQ | --before T) CONTAINER\n"
        + "      delete a container's lines through that seq, or those before that time, on every collector\n"
        + "      (a leaked secret); CONTAINER is its whole id or its name; needs a full-access token\n"
        + "  all take --url URL [" + DEFAULT_URL + "], --token TOKEN [env DOCKLINE_AUTH_TOKEN] and\n"
        + "      --tls-ca FILE [env DOCKLINE_TLS_CA]: for an https:// URL, trust only the certificates this PEM CA\n"
        + "      signed (or this self-signed certificate) instead of the JVM's default CAs\n";
  }

  // --- logs ---

  /** How {@code logs} prints a line: with its time ({@code -t}), and prefixed by its container's name. */
  private final class LinePrinter {
    final boolean timestamps;
    final boolean prefix;
    int width;

    LinePrinter(boolean timestamps, boolean prefix) {
      this.timestamps = timestamps;
      this.prefix = prefix;
    }

    void print(JsonObject line) {
      if (json) {
        out.println(line.encode());
        return;
      }
      PrintStream to = "stderr".equals(line.getString("stream")) ? err : out;
      String text = raw ? line.getString("line") : Printable.escape(line.getString("line"));
      if (timestamps) text = line.getString("time") + " " + text;
      if (prefix) {
        String name = Printable.escape(line.getString("containerName", line.getString("containerId", "")));
        width = Math.max(width, name.length());
        text = name + " ".repeat(width - name.length() + 1) + " | " + text;
      }
      to.println(text);
    }
  }

  private void logs(String[] args) throws Failure {
    List<String> params = new ArrayList<>();
    List<String> selectors = new ArrayList<>();
    List<String> containers = new ArrayList<>();
    boolean follow = false;
    boolean timestamps = false;
    boolean noPrefix = false;
    boolean fleetOnly = false;
    String tail = null;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-f": case "--follow": follow = true; break;
        case "-t": case "--timestamps": timestamps = true; break;
        case "--json": json = true; break;
        case "--raw": raw = true; break;
        case "--no-prefix": noPrefix = true; break;
        case "--url": url = value(args, ++i, a); break;
        case "--token": token = value(args, ++i, a); break;
        case "--tls-ca": tlsCa = value(args, ++i, a); break;
        case "--since": params.add("since=" + enc(value(args, ++i, a))); break;
        case "--until": params.add("until=" + enc(value(args, ++i, a))); break;
        case "--tail": case "-n": tail = value(args, ++i, a); break;
        case "--grep": params.add("text=" + enc(value(args, ++i, a))); break;
        case "--level": params.add("level=" + enc(value(args, ++i, a))); break;
        case "--regex": case "--stream":
          params.add(a.substring(2) + "=" + enc(value(args, ++i, a)));
          fleetOnly = true;
          break;
        case "--service": case "--project": case "--label": case "--host": case "--image": case "--name":
          selectors.add(a.substring(2) + "=" + enc(value(args, ++i, a)));
          break;
        default:
          if (a.startsWith("-")) throw new Failure(2, "unknown option " + a + " for logs (see --help)");
          containers.add(a);
      }
    }
    if (containers.isEmpty() && selectors.isEmpty()) {
      throw new Failure(2, "logs needs a container name or id, or a selector such as --service (see --help)");
    }
    if (containers.size() == 1 && selectors.isEmpty() && !fleetOnly) {
      if (tail != null) params.add("tail=" + enc(tail));
      String path = "/api/containers/" + enc(containers.get(0)) + "/logs";
      LinePrinter printer = new LinePrinter(timestamps, false);
      if (follow) follow(path, params, printer);
      else page(path, params, printer);
      return;
    }
    if (tail != null) throw new Failure(2, "--tail takes one container; with selectors or several, use --since");
    for (String c : containers) selectors.add("container=" + enc(c));
    params.addAll(selectors);
    // one container named, with filters only a search has: its lines need no prefix
    LinePrinter printer = new LinePrinter(timestamps, !noPrefix && !(containers.size() == 1 && selectors.size() == 1));
    if (printer.prefix) {
      HttpResponse<String> matching = send("/api/containers?" + String.join("&", selectors), true);
      if (matching.statusCode() == 200) {
        for (Object c : new JsonArray(matching.body())) {
          printer.width = Math.max(printer.width, Printable.escape(((JsonObject) c).getString("name", "")).length());
        }
      }
    }
    if (follow) follow("/api/logs", params, printer);
    else search(params, printer);
  }

  /** Every matching line of every selected container, merged by time, page by page with the cursor. */
  private void search(List<String> params, LinePrinter printer) throws Failure {
    String cursor = null;
    do {
      List<String> q = new ArrayList<>(params);
      q.add("limit=1000");
      if (cursor != null) q.add("cursor=" + enc(cursor));
      HttpResponse<String> r = send("/api/logs?" + String.join("&", q));
      for (String l : r.body().split("\n")) if (!l.isEmpty()) printer.print(new JsonObject(l));
      cursor = r.headers().firstValue("X-Dockline-Cursor").orElse(null);
    } while (cursor != null);
  }

  /**
   * Every matching line stored when asked, page by page, continuing after the seq each page says it scanned
   * through while the gateway says there is more.
   */
  private void page(String path, List<String> params, LinePrinter printer) throws Failure {
    long after = 0;
    while (true) {
      List<String> q = new ArrayList<>(params);
      if (after > 0) {
        q.removeIf(p -> p.startsWith("tail=") || p.startsWith("since="));
        q.add("after=" + after);
      }
      q.add("limit=10000");
      HttpResponse<String> r = send(path + "?" + String.join("&", q));
      for (String l : r.body().split("\n")) if (!l.isEmpty()) printer.print(new JsonObject(l));
      long scanned = r.headers().firstValueAsLong("X-Dockline-Scanned-Through").orElse(after);
      if (!r.headers().firstValue("X-Dockline-More").orElse("false").equals("true") || scanned <= after) return;
      after = scanned;
    }
  }

  /**
   * Server-Sent Events until interrupted; a dropped connection is resumed with the id of the last event
   * (Last-Event-ID), so no line is printed twice or skipped.
   */
  private void follow(String path, List<String> params, LinePrinter printer) throws Failure {
    String lastId = null;
    List<String> q = new ArrayList<>(params);
    q.add("follow=true");
    while (true) {
      HttpRequest.Builder req = request(path + "?" + String.join("&", q));
      if (lastId != null) req.header("Last-Event-ID", lastId);
      HttpResponse<Stream<String>> r;
      try {
        r = http().send(req.build(), HttpResponse.BodyHandlers.ofLines());
      } catch (IOException e) {
        if (lastId == null) throw unreachable(e);
        pause();
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (r.statusCode() != 200) {
        StringBuilder body = new StringBuilder();
        r.body().forEach(body::append);
        throw refused(r.statusCode(), body.toString());
      }
      String event = "";
      try {
        Iterator<String> lines = r.body().iterator();
        while (lines.hasNext()) {
          String l = lines.next();
          if (l.isEmpty()) event = "";
          else if (l.startsWith("id: ")) lastId = l.substring(4);
          else if (l.startsWith("event: ")) event = l.substring(7);
          else if (l.startsWith("data: ")) data(event, new JsonObject(l.substring(6)), printer);
        }
      } catch (java.io.UncheckedIOException e) {
        // the gateway went away mid-stream: resume once it answers again
      }
      err.println("dockline: connection to " + url + " lost; reconnecting");
      pause();
    }
  }

  /** One event's data: a line printed, a gap told on stderr, an error the end. */
  private void data(String event, JsonObject data, LinePrinter printer) throws Failure {
    switch (event) {
      case "line" -> printer.print(data);
      case "gap" -> err.println("dockline: lines " + data.getLong("from") + " to " + data.getLong("to")
          + (data.containsKey("containerId") ? " of " + data.getString("containerId") : "") + " are missing");
      case "error" -> throw new Failure(1, data.getString("error", "the follow failed"));
      default -> { }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // --- purge ---

  private void purge(String[] args) throws Failure {
    String container = null;
    String param = null;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--through": case "--before":
          if (param != null) throw new Failure(2, "purge takes one of --through and --before");
          param = a.substring(2) + "=" + enc(value(args, ++i, a));
          break;
        case "--json": json = true; break;
        case "--url": url = value(args, ++i, a); break;
        case "--token": token = value(args, ++i, a); break;
        case "--tls-ca": tlsCa = value(args, ++i, a); break;
        default:
          if (a.startsWith("-") || container != null) throw new Failure(2, "unknown option " + a + " for purge (see --help)");
          container = a;
      }
    }
    if (container == null || param == null) throw new Failure(2, "purge needs a container and --through SEQ or --before T");
    HttpResponse<String> r = send("/api/containers/" + enc(container) + "/logs?" + param, false, "DELETE");
    JsonObject answer = new JsonObject(r.body());
    if (json) {
      out.println(answer.encodePrettily());
      return;
    }
    for (Object o : answer.getJsonArray("collectors", new JsonArray())) {
      JsonObject c = (JsonObject) o;
      out.printf("%s: deleted through seq %d; first kept seq %d%n", c.getString("node"), c.getLong("deletedThrough", 0L),
          c.getLong("firstSeq", 0L));
    }
  }

  // --- status ---

  private void status(String[] args) throws Failure {
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--json": json = true; break;
        case "--url": url = value(args, ++i, args[i - 1]); break;
        case "--token": token = value(args, ++i, args[i - 1]); break;
        case "--tls-ca": tlsCa = value(args, ++i, args[i - 1]); break;
        default: throw new Failure(2, "unknown option " + args[i] + " for status (see --help)");
      }
    }
    JsonObject cluster = new JsonObject(send("/api/cluster").body());
    HttpResponse<String> ringAnswer = send("/api/ring", true);
    JsonObject ring = ringAnswer.statusCode() == 200 ? new JsonObject(ringAnswer.body()) : null;
    HttpResponse<String> containersAnswer = send("/api/containers", true);
    JsonArray containers = containersAnswer.statusCode() == 200 ? new JsonArray(containersAnswer.body()) : null;
    boolean allReady = true;
    for (Object m : cluster.getJsonArray("members")) allReady &= ((JsonObject) m).getBoolean("ready", false);
    if (json) {
      out.println(new JsonObject().put("cluster", cluster).put("ring", ring).put("containers", containers).encodePrettily());
    } else {
      printStatus(cluster, ring, ringAnswer, containers, containersAnswer);
    }
    if (!allReady) throw new Failure(1, "not every member is ready");
  }

  private void printStatus(JsonObject cluster, JsonObject ring, HttpResponse<String> ringAnswer, JsonArray containers,
      HttpResponse<String> containersAnswer) {
    JsonArray members = cluster.getJsonArray("members");
    out.printf("cluster: %d member%s (asked %s at %s)%n", members.size(), members.size() == 1 ? "" : "s",
        cluster.getString("gateway"), url);
    out.printf("%-24s %-6s %s%n", "NODE", "READY", "ROLES");
    for (Object o : members) {
      JsonObject m = (JsonObject) o;
      StringBuilder roles = new StringBuilder();
      JsonObject r = m.getJsonObject("roles", new JsonObject());
      for (String role : r.fieldNames()) {
        JsonObject s = r.getJsonObject(role);
        roles.append(role).append(s.getBoolean("ready") ? "" : " (not ready: " + Printable.escape(s.getString("detail")) + ")")
            .append("  ");
      }
      out.printf("%-24s %-6s %s%n", m.getString("node"), m.getBoolean("ready", false) ? "yes" : "no", roles.toString().trim());
    }
    out.println();
    if (ring == null) {
      out.println("ring: " + errorOf(ringAnswer.body()));
    } else {
      out.printf("ring: %d collector%s, epsilon %s%n", ring.getJsonArray("collectors").size(),
          ring.getJsonArray("collectors").size() == 1 ? "" : "s", ring.getValue("epsilon"));
      out.printf("%-24s %8s %12s %14s %14s %14s%n", "COLLECTOR", "STREAMS", "LINES/S", "BYTES/S", "STORED", "FREE");
      for (Object o : ring.getJsonArray("collectors")) {
        JsonObject c = (JsonObject) o;
        JsonObject disk = c.getJsonObject("disk", new JsonObject());
        out.printf("%-24s %8d %12.1f %14.1f %14d %14d%s%n", c.getString("node"), c.getLong("streams", 0L),
            c.getDouble("linesPerSecond", 0.0), c.getDouble("bytesPerSecond", 0.0), disk.getLong("storedBytes", 0L),
            disk.getLong("freeBytes", 0L), disk.containsKey("shortOfDisk")
                ? "  (short of disk, reads only: " + Printable.escape(disk.getString("shortOfDisk")) + ")" : "");
      }
    }
    out.println();
    if (containers == null) {
      out.println("containers: " + errorOf(containersAnswer.body()));
      return;
    }
    out.printf("containers: %d%n", containers.size());
    out.printf("%-30s %-16s %-16s %10s%n", "NAME", "HOST", "COLLECTOR", "LINES");
    for (Object o : containers) {
      JsonObject c = (JsonObject) o;
      out.printf("%-30s %-16s %-16s %10d%n", c.getString("name"), c.getString("host"), c.getString("collector", "-"),
          c.getLong("lastSeq", 0L));
    }
  }

  // --- HTTP ---

  private HttpRequest.Builder request(String pathAndQuery) throws Failure {
    URI uri;
    try {
      uri = URI.create(url.replaceAll("/+$", "") + pathAndQuery);
      if (uri.getHost() == null) throw new IllegalArgumentException("no host");
    } catch (IllegalArgumentException e) {
      throw new Failure(2, "invalid --url '" + url + "': expected http://host:port or https://host:port");
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (token != null && !token.isEmpty()) b.header("Authorization", "Bearer " + token);
    return b;
  }

  private HttpClient http() throws Failure {
    if (http == null) {
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
      if (tlsCa != null && !tlsCa.isEmpty()) {
        try {
          b.sslContext(TlsFiles.trusting(Path.of(tlsCa)));
        } catch (IllegalArgumentException e) {
          throw new Failure(2, "invalid --tls-ca '" + tlsCa + "': " + e.getMessage());
        }
      }
      http = b.build();
    }
    return http;
  }

  private HttpResponse<String> send(String pathAndQuery) throws Failure {
    return send(pathAndQuery, false);
  }

  private HttpResponse<String> send(String pathAndQuery, boolean anyStatus) throws Failure {
    return send(pathAndQuery, anyStatus, "GET");
  }

  private HttpResponse<String> send(String pathAndQuery, boolean anyStatus, String method) throws Failure {
    HttpResponse<String> r;
    try {
      r = http().send(request(pathAndQuery).timeout(Duration.ofSeconds(60))
          .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(1, "interrupted");
    }
    if (!anyStatus && r.statusCode() != 200) throw refused(r.statusCode(), r.body());
    return r;
  }

  private Failure unreachable(IOException e) {
    Throwable tls = e instanceof SSLException ? e : e.getCause() instanceof SSLException ? e.getCause() : null;
    if (tls != null) {
      return new Failure(1, "TLS with " + url + " failed (" + tls.getMessage() + "); to trust the gateway's "
          + "certificate give --tls-ca FILE with its CA");
    }
    String why = e instanceof ConnectException ? "connection refused"
        : e instanceof HttpTimeoutException ? "no answer in time"
        : String.valueOf(e.getMessage());
    return new Failure(1, "cannot reach a dockline node at " + url + " (" + why
        + "); is a node with role gateway running there? (--url)");
  }

  private static Failure refused(int status, String body) {
    return new Failure(1, errorOf(body) + " (HTTP " + status + ")");
  }

  /** The error a node answered with, printable. */
  private static String errorOf(String body) {
    String error;
    try {
      error = new JsonObject(body).getString("error", body);
    } catch (DecodeException | ClassCastException e) {
      error = body.length() > 200 ? body.substring(0, 200) : body;
    }
    return Printable.escape(error);
  }

  private static String value(String[] args, int i, String option) throws Failure {
    if (i >= args.length) throw new Failure(2, "option " + option + " needs a value (see --help)");
    return args[i];
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
