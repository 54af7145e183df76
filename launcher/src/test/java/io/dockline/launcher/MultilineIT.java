package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Multiline records against real containers: stack traces printed by busybox {@code printf}, interleaved line by
 * line on stdout and stderr, are stored one record each, per stream, with exactly the text the container wrote
 * (its lines joined with '\n'); a trace longer than {@code max-record-bytes} in pieces flagged partial; a trace
 * cut by the container exiting; a TTY container; the label choosing the rule; a record no line follows goes on
 * after the flush time; and in logs mode, kill -9 of the node mid-trace and restarts neither split nor repeat a
 * record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultilineIT {
  /** Generous: a trace's lines printed by a loaded machine's shell must not be taken for separate records. */
  private static final int FLUSH_MS = 6_000;
  private static final int MAX_RECORD = 2_048;
  private final String run = "ml" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private Path work;
  private NodeProcess node;

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("dockline-multiline-it");
    node = new NodeProcess("multiline", work, "--include-labels", Docker.RUN_LABEL, "--multiline", "auto",
        "--multiline-flush", Integer.toString(FLUSH_MS), "--max-record-bytes", Integer.toString(MAX_RECORD)).start();
    node.awaitHealth(200, 120_000);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    Docker.removeTestContainers();
  }

  /** A Java trace as one string; {@code frames} "at" lines. */
  static String javaTrace(String what, int frames) {
    StringBuilder b = new StringBuilder("Exception in thread \"main\" java.lang.IllegalStateException: " + what);
    for (int f = 1; f <= frames; f++) b.append("\n\tat app.Main.step").append(f).append("(Main.java:").append(f).append(')');
    b.append("\nCaused by: java.io.IOException: disk ").append(what);
    b.append("\n\tat app.Disk.read(Disk.java:3)");
    b.append("\n\t... 2 more");
    return b.toString();
  }

  static final String PYTHON = "Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in <module>\n    f()\n"
      + "KeyError: 'a'";
  static final String GO = "panic: runtime error: index out of range [3] with length 1\n\ngoroutine 1 [running]:\n"
      + "main.main()\n\t/app/main.go:8 +0x1d";

  /**
   * A shell script that prints the records of both lists line by line, alternating streams (stdout's k-th line,
   * then stderr's k-th line), each line with its own printf.
   */
  static String interleaved(List<String> out, List<String> err) {
    List<String> o = linesOf(out);
    List<String> e = linesOf(err);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.max(o.size(), e.size()); i++) {
      if (i < o.size()) s.append("printf '%s\\n' ").append(quote(o.get(i))).append("; ");
      if (i < e.size()) s.append("printf '%s\\n' ").append(quote(e.get(i))).append(" >&2; ");
    }
    return s.toString();
  }

  private static List<String> linesOf(List<String> records) {
    List<String> lines = new ArrayList<>();
    for (String r : records) lines.addAll(List.of(r.split("\n", -1)));
    return lines;
  }

  /** Single-quoted for sh, tabs kept as they are. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The stored records of one stream, pieces of a cut record joined, in seq order; checks seqs are 1..n. */
  private List<String> records(String id, String stream) throws Exception {
    List<JsonObject> lines = node.allLines(id);
    List<String> out = new ArrayList<>();
    StringBuilder piece = new StringBuilder();
    boolean cut = false;
    for (int i = 0; i < lines.size(); i++) {
      JsonObject l = lines.get(i);
      assertEquals(i + 1, l.getLong("seq"), "seqs without hole or repeat: " + l);
      if (!stream.equals(l.getString("stream"))) continue;
      String text = l.getString("line");
      if (l.getBoolean("partial", false)) {
        assertTrue(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_RECORD, "piece within the cap");
        piece.append(text);
        cut = true;
        continue;
      }
      piece.append(text);
      String record = piece.toString();
      piece.setLength(0);
      int count = record.split("\n", -1).length;
      if (!cut) assertEquals(count > 1 ? Integer.valueOf(count) : null, l.getInteger("lines"), "lines count of " + record);
      cut = false;
      out.add(record);
    }
    assertEquals("", piece.toString(), "no record left in pieces");
    return out;
  }

  private void awaitRecords(String id, String stream, int n) throws Exception {
    long end = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < end) {
      try {
        if (records(id, stream).size() >= n) return;
      } catch (AssertionError e) {
        // a piece of a cut record may be stored before its end: read again
      }
      Thread.sleep(300);
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void tracesInterleavedOnBothStreamsAreRecordsWithTheTextWritten() throws Exception {
    List<String> out = new ArrayList<>();
    List<String> err = new ArrayList<>();
    for (int k = 1; k <= 3; k++) {
      out.add("starting " + k);
      out.add(javaTrace("out " + k, 3 + k));
      err.add(javaTrace("err " + k, 5 - k));
      err.add("a plain line with the word error in the middle " + k);
    }
    out.add(PYTHON);
    err.add(GO);
    String longTrace = javaTrace("long", 120); // about 4 KB: over max-record-bytes
    out.add(longTrace);
    out.add("between");
    err.add("err last plain");
    out.add(javaTrace("cut by exit", 2)); // the container exits right after it
    node.baselineStreams = (int) node.metric("dockline_attach_streams_open");
    String id = Docker.create(run + "-mix", false, interleaved(out, err));
    node.startWhenAttached(id);
    Docker.waitExited(id, 60_000);
    awaitRecords(id, "stdout", out.size());
    awaitRecords(id, "stderr", err.size());
    assertEquals(out, records(id, "stdout"));
    assertEquals(err, records(id, "stderr"));
    long pieces = node.allLines(id).stream().filter(l -> l.getBoolean("partial", false)).count();
    int bytes = longTrace.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    assertEquals((bytes + MAX_RECORD - 1) / MAX_RECORD - 1, pieces, "the long trace (" + bytes
        + " bytes) is stored in pieces of the cap, all but the last flagged partial");
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void ttyLabelsAndTheFlushTimer() throws Exception {
    // TTY: one stream, "\r\n" line ends; the record ends at the flush time although no line follows for long
    node.baselineStreams = (int) node.metric("dockline_attach_streams_open");
    List<String> tty = List.of("hello", javaTrace("tty", 3));
    String ttyId = Docker.create(run + "-tty", true, interleaved(tty, List.of()) + "sleep 60");
    // the label overrides the node's auto: a record starts at each line beginning with "[", nothing else
    List<String> regex = List.of("[1] first\nsecond\n\tat x", "[2] two");
    String regexId = Docker.run("create", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
        "--label", "dockline.multiline=regex:^\\[", "--name", run + "-regex", Docker.IMAGE, "sh", "-c",
        interleaved(regex, List.of()));
    List<String> none = List.of("Exception: x", "\tat a(b.java:1)");
    String noneId = Docker.run("create", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
        "--label", "dockline.multiline=none", "--name", run + "-none", Docker.IMAGE, "sh", "-c",
        interleaved(none, List.of()));
    node.startWhenAttached(ttyId, regexId, noneId);
    long started = System.currentTimeMillis();
    awaitRecords(ttyId, "stdout", 2);
    assertEquals(tty, records(ttyId, "stdout"));
    assertTrue(System.currentTimeMillis() - started < 45_000, "flushed long before the container's next output");
    assertEquals("running", Docker.run("inspect", "-f", "{{.State.Status}}", ttyId), "no stream end flushed it");
    Docker.waitExited(regexId, 60_000);
    Docker.waitExited(noneId, 60_000);
    awaitRecords(regexId, "stdout", 2);
    assertEquals(regex, records(regexId, "stdout"));
    awaitRecords(noneId, "stdout", 2);
    assertEquals(none, records(noneId, "stdout"));
    Docker.run("rm", "-f", ttyId); // its stream would count among the next test's
  }

  /**
   * Levels from JSON (string and pino numbers), logfmt and leading tokens; a level word mid-line is none; a record's
   * level is its first line's; every line carries the field and {@code level=warn,error} filters on it.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void levelsAreFoundStoredAndFiltered() throws Exception {
    List<String[]> cases = List.of(
        new String[] {"{\"level\":\"ERROR\",\"msg\":\"json string\"}", "error"},
        new String[] {"{\"level\":40,\"msg\":\"pino number\"}", "warn"},
        new String[] {"{\"severity\":\"info\",\"msg\":\"x\"}", "info"},
        new String[] {"time=2026-11-30T06:00:00Z level=debug msg=logfmt", "debug"},
        new String[] {"[WARN] plain prefix", "warn"},
        new String[] {"2026-11-30 06:00:00,123 FATAL after a timestamp", "fatal"},
        new String[] {"E1129 10:00:00.123456 1 main.go:10] glog", "error"},
        new String[] {"request failed with error 500", "none"},
        new String[] {"ERROR trace follows\n\tat app.Main.run(Main.java:1)", "error"});
    List<String> texts = new ArrayList<>();
    for (String[] c : cases) texts.add(c[0]);
    // logs mode: read from the log's start, no attach to wait for
    String id = Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "json-file",
        "--name", run + "-levels", Docker.IMAGE, "sh", "-c", interleaved(texts, List.of()));
    Docker.waitExited(id, 60_000);
    awaitRecords(id, "stdout", cases.size());
    List<JsonObject> lines = node.allLines(id);
    assertEquals(cases.size(), lines.size());
    for (int i = 0; i < cases.size(); i++) {
      assertEquals(cases.get(i)[0], lines.get(i).getString("line"));
      assertEquals(cases.get(i)[1], lines.get(i).getString("level"), cases.get(i)[0]);
    }
    List<String> filtered = new ArrayList<>();
    for (String l : node.get("/api/containers/" + id + "/logs?level=warn,error").body().split("\n")) {
      filtered.add(new JsonObject(l).getString("line"));
    }
    assertEquals(List.of(texts.get(0), texts.get(1), texts.get(4), texts.get(6), texts.get(8)), filtered);
    assertEquals(400, node.get("/api/containers/" + id + "/logs?level=loud").statusCode());
  }

  /**
   * Logs mode: containers print Java traces line by line on both streams, slowly, while the node is killed with
   * SIGKILL (mid-trace) and restarted again and again; every trace is stored once, whole, in order, seqs 1..n.
   */
  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void logsModeKill9MidTraceNeitherSplitsNorRepeatsARecord() throws Exception {
    // each trace: 8 lines per stream, one line of each stream every 50 ms; every 4th stdout trace has 90 frames
    // (over max-record-bytes: stored in pieces); numbered; until told to stop
    String script = "k=0; while [ ! -e /tmp/stop ]; do k=$((k+1)); n=6; [ $((k % 4)) -eq 0 ] && n=90;"
        + " printf 'Exception in thread \"main\" java.lang.IllegalStateException: out %s\\n' $k;"
        + " printf 'java.lang.RuntimeException: err %s\\n' $k >&2;"
        + " f=0; while [ $f -lt $n ]; do f=$((f+1)); printf '\\tat app.Out.f%s(Out.java:%s)\\n' $f $k;"
        + " if [ $f -le 6 ]; then sleep 0.05; printf '\\tat app.Err.f%s(Err.java:%s)\\n' $f $k >&2; fi; done;"
        + " printf '\\t... 2 more\\n'; printf 'Caused by: java.io.IOException: err %s\\n' $k >&2; done;"
        + " echo \"done $k\"";
    List<String> ids = new ArrayList<>();
    for (String driver : List.of("json-file", "local")) {
      ids.add(Docker.run("run", "-d", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", driver,
          "--name", run + "-logs-" + driver, Docker.IMAGE, "sh", "-c", script));
    }
    for (String id : ids) node.awaitStored(id, 4, 60_000);
    Random random = new Random();
    for (int k = 0; k < 3; k++) {
      Thread.sleep(700 + random.nextInt(1_500));
      node.kill9();
      Thread.sleep(300 + random.nextInt(1_500)); // the containers write on, mid-trace, while nothing reads them
      node.start();
      node.awaitHealth(200, 120_000);
    }
    Thread.sleep(1_000 + random.nextInt(1_000));
    for (String id : ids) Docker.run("exec", id, "touch", "/tmp/stop");
    for (String id : ids) {
      Docker.waitExited(id, 60_000);
      // the last stdout line; the stderr line written just before it may come after it in the log
      String last = "";
      for (String l : Docker.run("logs", "--tail", "3", id).split("\n")) if (l.startsWith("done ")) last = l;
      assertTrue(last.startsWith("done "), last);
      int n = Integer.parseInt(last.substring(5).trim());
      awaitRecords(id, "stdout", n + 1);
      awaitRecords(id, "stderr", n);
      List<String> out = new ArrayList<>();
      List<String> err = new ArrayList<>();
      for (int k = 1; k <= n; k++) {
        StringBuilder o = new StringBuilder("Exception in thread \"main\" java.lang.IllegalStateException: out " + k);
        StringBuilder e = new StringBuilder("java.lang.RuntimeException: err " + k);
        for (int f = 1; f <= (k % 4 == 0 ? 90 : 6); f++) {
          o.append("\n\tat app.Out.f").append(f).append("(Out.java:").append(k).append(')');
          if (f <= 6) e.append("\n\tat app.Err.f").append(f).append("(Err.java:").append(k).append(')');
        }
        out.add(o.append("\n\t... 2 more").toString());
        err.add(e.append("\nCaused by: java.io.IOException: err ").append(k).toString());
      }
      out.add("done " + n);
      assertEquals(out, records(id, "stdout"), "container " + id);
      assertEquals(err, records(id, "stderr"), "container " + id);
    }
    assertEquals(0.0, node.metric("dockline_logs_resume_mismatches_total"), "every checkpoint was found");
  }
}
