package io.dockline.wire;

import io.vertx.core.json.JsonObject;

/**
 * The loss ledger's protocol: what an agent lost of a container's output, and why, asked by the gateway of
 * the agent that reads the container ({@link Addresses#agentLosses(String)}, the container's {@code host}).
 *
 * <ul>
 *   <li>request {@code {"v", "containerId"}};</li>
 *   <li>reply {@code {"v", "containerId", "lines", "uncounted", "reasons": [{"reason", "why", "lines", "times",
 *       "lastAt"}]}}: {@code lines} sums the lines counted one by one (exact); {@code uncounted} is how many
 *       times lines were lost that could not be counted (attach has no history: what a container wrote while
 *       no stream was open is gone unseen); per reason, {@code lines} is present only for counted reasons,
 *       {@code times} is how often it happened, {@code lastAt} the last time (RFC 3339).</li>
 * </ul>
 *
 * <p>Version {@link #VERSION}: a reader ignores fields it does not know, and a later version only adds fields
 * and reasons.
 */
public final class Losses {
  private Losses() {}

  public static final int VERSION = 1;
  /** Failure code: the request names no container. */
  public static final int BAD_REQUEST = 400;

  /** Why lines were lost. Counted reasons know the exact number of lines; the others only that it happened. */
  public enum Reason {
    SPOOL_FULL("spool-full", true, "discarded: the agent's spool was full under the drop-newest policy"),
    UNNUMBERED_AT_STOP("unnumbered-at-stop", true,
        "read but never numbered when the agent stopped (no collector ever answered for the container)"),
    LATE_ATTACH("late-attach", false,
        "the container started before its attach stream was open: its first output was not read"),
    RESTART("restart", false,
        "the container started again (restart policy, docker start) before the agent attached again: its first output was not read"),
    AGENT_STOPPED("agent-stopped", false,
        "no agent was running for a while (stopped cleanly) while the container ran: that output was not read"),
    AGENT_CRASHED("agent-crashed", false, "the agent crashed: what it held unacknowledged, and what the container"
        + " wrote until the agent ran again, was lost"),
    LOGS_ROTATED("logs-rotated", false,
        "logs mode: the log rotated past (or changed before) the checkpoint the agent resumed from");

    public final String wireName;
    public final boolean counted;
    public final String why;

    Reason(String wireName, boolean counted, String why) {
      this.wireName = wireName;
      this.counted = counted;
      this.why = why;
    }

    /** The reason by its wire name; null for one this version does not know. */
    public static Reason of(String wireName) {
      for (Reason r : values()) if (r.wireName.equals(wireName)) return r;
      return null;
    }
  }

  public static JsonObject request(String containerId) {
    return new JsonObject().put("v", VERSION).put("containerId", containerId);
  }
}
