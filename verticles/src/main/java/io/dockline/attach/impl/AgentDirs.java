package io.dockline.attach.impl;

import java.nio.file.Path;

/**
 * The agent's files under {@code <data-dir>/agent/}, named in this one place: {@code spool/} (a file per
 * container whose lines no collector has taken yet), {@code seqs/} (a container's highest seq numbered or
 * reserved), {@code checkpoints/} (where logs mode resumes), {@code losses/} (a container's loss ledger),
 * {@code last-run} (whether the agent runs or stopped cleanly, and since when), and the start gate's
 * {@code gate.sock} and {@code start-gate.log}.
 */
public record AgentDirs(Path root) {
  public static AgentDirs under(Path dataDir) {
    return new AgentDirs(dataDir.resolve("agent"));
  }

  /** The directories of the agent whose spool is {@code spoolDir}. */
  static AgentDirs ofSpool(Path spoolDir) {
    return new AgentDirs(spoolDir.getParent());
  }

  public Path spool() {
    return root.resolve("spool");
  }

  /** The seq mark of a container: the exact last seq after a clean stop, a reservation otherwise. */
  Path seqMark(String containerId) {
    return root.resolve("seqs").resolve(containerId);
  }

  /** The logs-mode checkpoint of a container (see {@link Checkpoint}). */
  public Path checkpoint(String containerId) {
    return root.resolve("checkpoints").resolve(containerId);
  }

  /** The loss ledgers, a file per container that lost lines (see {@link LossLedger}). */
  Path losses() {
    return root.resolve("losses");
  }

  /** The agent's state on this data dir: running (renewed), or stopped cleanly, and when (see {@link LossLedger}). */
  Path lastRun() {
    return root.resolve("last-run");
  }

  /** The socket the start gate's process asks the agent on. */
  public Path gateSocket() {
    return root.resolve("gate.sock");
  }

  public Path startGateLog() {
    return root.resolve("start-gate.log");
  }
}
