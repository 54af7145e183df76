package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attach mode (log driver none) across a stop of the node, for real: containers write numbered lines and
 * publish their counter in a file of the test's, so the test knows how many lines each had written at the
 * moment it signalled the node. The README's bounds: after SIGTERM every line written before the signal is
 * stored, and only what the containers wrote while no node ran is missing; after kill -9 the node also loses
 * what it held unacknowledged (a few batches: here, at most what a container wrote in the second before the
 * kill). Either way no line is stored twice (read through the API and on the collector's disk), seqs never
 * repeat, the missing lines are one run in the downtime, and the loss ledger notes it.
 */
class AttachRestartIT {
  private static final int CONTAINERS = 3;
  private static final String BURST = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25";
  private final String run = "ar" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final List<NodeProcess> nodes = new ArrayList<>();
  private Path work;

  @BeforeEach
  void setUp() throws Exception {
    Docker.removeTestContainers();
    work = Files.createTempDirectory("dockline-attach-restart-it");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (NodeProcess n : nodes) n.close();
    Docker.removeTestContainers();
  }

  @Test
  void sigtermStoresEveryLineWrittenBeforeTheSignal() throws Exception {
    stopAndRestart(false);
  }

  @Test
  void killNineLosesOnlyWhatWasUnacknowledgedAndTheDowntime() throws Exception {
    stopAndRestart(true);
  }

  private void stopAndRestart(boolean crash) throws Exception {
    NodeProcess first = node();
    first.start();
    first.awaitHealth(200, 120_000);
    List<String> ids = new ArrayList<>();
    List<Path> counters = new ArrayList<>();
    for (int i = 0; i < CONTAINERS; i++) {
      Path dir = Files.createDirectories(work.resolve("counter-" + i));
      counters.add(dir.resolve("n"));
      ids.add(Docker.run("create", "--network", "none", "--label", Docker.RUN_LABEL, "--log-driver", "none",
          "--name", run + "-" + i, "-v", dir + ":/c", Docker.IMAGE, "sh", "-c",
          "i=0; while true; do for j in " + (i == 0 ? BURST : "1") + "; do i=$((i+1)); echo \"n $i\"; echo $i > /c/n;"
              + " done; sleep 0.005; done")); // the first in bursts: lines are in flight at the signal
    }
    first.startWhenAttached(ids.toArray(new String[0]));
    for (String id : ids) first.awaitStored(id, 200, 60_000);

    long[] beforeSignal = new long[CONTAINERS];
    long[] secondBefore = new long[CONTAINERS];
    for (int i = 0; i < CONTAINERS; i++) secondBefore[i] = counter(counters.get(i));
    Thread.sleep(1_000);
    for (int i = 0; i < CONTAINERS; i++) beforeSignal[i] = counter(counters.get(i));
    if (crash) first.kill9();
    else assertEquals(143, first.stop(), "SIGTERM: a clean stop");
    Thread.sleep(2_000); // the containers write on while no node runs

    NodeProcess second = node(); // the same node again, on its data dir
    second.start();
    second.awaitHealth(200, 120_000);
    long end = System.currentTimeMillis() + 60_000;
    while (second.metric("dockline_attach_streams_open") < CONTAINERS && System.currentTimeMillis() < end) {
      Thread.sleep(50);
    }
    assertEquals(CONTAINERS, second.metric("dockline_attach_streams_open"), 0.0, "attached again");
    long[] afterRestart = new long[CONTAINERS];
    for (int i = 0; i < CONTAINERS; i++) afterRestart[i] = counter(counters.get(i)); // later lines are read
    for (int i = 0; i < CONTAINERS; i++) {
      second.awaitStored(ids.get(i), second.container(ids.get(i)).getLong("lastSeq") + 200, 60_000);
    }

    for (int i = 0; i < CONTAINERS; i++) {
      String id = ids.get(i);
      List<JsonObject> lines = second.allLines(id);
      long lastRead = lines.get(lines.size() - 1).getLong("seq");
      List<Long> onDisk = StoredOnDisk.seqs(second, id).stream().filter(s -> s <= lastRead).toList();
      assertEquals(lines.stream().map(l -> l.getLong("seq")).toList(), onDisk, id + ": on disk as read, none twice");
      long lastBefore = 0;
      long firstAfter = 0;
      long previousSeq = 0;
      long previous = 0;
      for (JsonObject l : lines) {
        long seq = l.getLong("seq");
        long n = Long.parseLong(l.getString("line").substring(2));
        assertTrue(seq > previousSeq, id + ": seqs never repeat");
        previousSeq = seq;
        if (firstAfter == 0 && n == lastBefore + 1) {
          lastBefore = n;
        } else if (firstAfter == 0) {
          firstAfter = n;
          assertTrue(n > lastBefore, id + ": line " + n + " after " + lastBefore + ": stored twice or out of order");
        } else {
          assertEquals(previous + 1, n, id + ": only one run of lines is missing");
        }
        previous = n;
      }
      assertEquals(1, Long.parseLong(lines.get(0).getString("line").substring(2)), id + ": read from its first line");
      String what = id + ": stored 1.." + lastBefore + " and " + firstAfter + ".., written " + beforeSignal[i]
          + " before the signal, " + afterRestart[i] + " when read again";
      System.out.println("[AttachRestartIT] " + (crash ? "kill -9" : "SIGTERM") + " " + what);
      assertTrue(firstAfter > 0 && firstAfter <= afterRestart[i], what + ": the missing lines end once it is read again");
      if (crash) {
        long lostOfWritten = Math.max(0, beforeSignal[i] - lastBefore);
        long oneSecond = beforeSignal[i] - secondBefore[i];
        assertTrue(lostOfWritten <= oneSecond, what + ": the crash lost " + lostOfWritten
            + " lines written before it, more than the last second's " + oneSecond);
      } else {
        assertTrue(lastBefore >= beforeSignal[i], what + ": every line written before SIGTERM is stored");
      }
      JsonObject lost = LossLedgerIT.ledger(second, id);
      assertEquals(1L, lost.getLong("uncounted"), lost.encode());
      LossLedgerIT.onlyReason(lost, crash ? "agent-crashed" : "agent-stopped");
    }
  }

  private NodeProcess node() throws IOException {
    NodeProcess n = new NodeProcess("ar-node", work, "--include-names", run + "-.*");
    nodes.add(n);
    return n;
  }

  /** The number of lines the container had written when it last published its counter. */
  private static long counter(Path file) throws Exception {
    for (int tries = 0; tries < 100; tries++) {
      try {
        String s = Files.readString(file).trim();
        if (!s.isEmpty()) return Long.parseLong(s);
      } catch (IOException | NumberFormatException e) {
        // the container's shell truncates the file, then writes: read again
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no counter in " + file);
  }
}
