package io.dockline.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium from Debian's packages driven through chromedriver's W3C WebDriver HTTP API, with no
 * client library: a session is a handful of JSON requests.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMEDRIVER = Path.of(System.getProperty("dockline.chromedriver", "/usr/bin/chromedriver"));
  static final Path CHROMIUM = Path.of(System.getProperty("dockline.chromium", "/usr/bin/chromium"));
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Process driver;
  private final Path profile;
  private final String base;
  private String session;

  private Browser(Process driver, int port, Path profile) {
    this.driver = driver;
    this.base = "http://127.0.0.1:" + port;
    this.profile = profile;
  }

  static Browser start() throws Exception {
    if (!Files.isExecutable(CHROMEDRIVER) || !Files.isExecutable(CHROMIUM)) {
      throw new AssertionError("the console test needs Debian's chromium and chromium-driver (apt-get install -y "
          + "chromium chromium-driver; .ci/run installs them)");
    }
    int port = NodeProcess.freePort();
    Path profile = Files.createTempDirectory("dockline-chromium");
    Process p = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Browser b = new Browser(p, port, profile);
    try {
      b.awaitDriver();
      b.newSession();
    } catch (Exception | AssertionError e) {
      b.close();
      throw e;
    }
    return b;
  }

  private void awaitDriver() throws Exception {
    long end = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < end) {
      try {
        if (call("GET", "/status", null).getJsonObject("value").getBoolean("ready", false)) return;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("chromedriver did not start");
  }

  private void newSession() throws Exception {
    JsonArray args = new JsonArray(List.of("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1400,1000"));
    JsonObject caps = new JsonObject().put("capabilities", new JsonObject().put("alwaysMatch", new JsonObject()
        .put("browserName", "chrome")
        .put("goog:chromeOptions", new JsonObject().put("binary", CHROMIUM.toString()).put("args", args))));
    session = call("POST", "/session", caps).getJsonObject("value").getString("sessionId");
  }

  private JsonObject call(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonObject answer = new JsonObject(r.body());
    if (r.statusCode() != 200) throw new AssertionError("WebDriver " + method + " " + path + ": " + r.body());
    return answer;
  }

  private String s(String rest) {
    return "/session/" + session + rest;
  }

  void open(String url) throws Exception {
    call("POST", s("/url"), new JsonObject().put("url", url));
  }

  /** Runs a script in the page ({@code return ...}); its value as JSON-compatible Java. */
  Object script(String js, Object... args) throws Exception {
    return call("POST", s("/execute/sync"), new JsonObject().put("script", js).put("args", new JsonArray(List.of(args))))
        .getValue("value");
  }

  /** The first element matching the CSS selector, waiting up to {@code timeoutMs} for it. */
  String find(String css, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (true) {
      JsonArray found = call("POST", s("/elements"), new JsonObject().put("using", "css selector").put("value", css))
          .getJsonArray("value");
      if (!found.isEmpty()) return found.getJsonObject(0).getString(ELEMENT);
      if (System.currentTimeMillis() > end) throw new AssertionError("no element '" + css + "' on the page");
      Thread.sleep(100);
    }
  }

  /** Clicks the first element matching the CSS selector; again if the page re-rendered it in between. */
  void click(String css, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (true) {
      try {
        call("POST", s("/element/" + find(css, timeoutMs) + "/click"), new JsonObject());
        return;
      } catch (AssertionError e) {
        if (!e.getMessage().contains("stale") || System.currentTimeMillis() > end) throw e;
      }
    }
  }

  void type(String element, String text) throws Exception {
    call("POST", s("/element/" + element + "/value"), new JsonObject().put("text", text));
  }

  void screenshot(Path png) throws Exception {
    String data = call("GET", s("/screenshot"), null).getString("value");
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.write(png, Base64.getDecoder().decode(data));
  }

  @Override
  public void close() throws Exception {
    try {
      if (session != null) call("DELETE", s(""), null);
    } catch (IOException | AssertionError e) {
      // the driver is going away anyway
    } finally {
      driver.destroy();
      if (!driver.waitFor(10, TimeUnit.SECONDS)) driver.destroyForcibly();
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
