package io.dockline.network;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.dockline.config.NodeConfig;

/**
 * The pools' split-brain protection (setting {@code network-quorum}): a side of a split cluster with fewer data
 * members than that neither reads nor changes the pools, so only a majority allocates, renews and frees.
 * A member counts the data members (Hazelcast counts no lite member) it heard a heartbeat from within
 * {@link NodeConfig#QUORUM_TOLERANCE_MS} (itself included, if it holds data): a cut-off member notices within
 * seconds, well before the others drop it from the cluster
 * ({@code hazelcast.max.no.heartbeat.seconds}) and could give its addresses away.
 */
public final class NetworkQuorum {
  /** The protection's name in the Hazelcast config. */
  public static final String NAME = "network-quorum";

  private final HazelcastInstance hz;
  private final int minimum;

  private NetworkQuorum(HazelcastInstance hz, int minimum) {
    this.hz = hz;
    this.minimum = minimum;
  }

  /**
   * Protects the pool map with a quorum of {@code minimum} data members (nothing below 2). After a split heals,
   * the smaller side's pools are merged with {@link PutIfAbsentMergePolicy}: the side that kept the quorum keeps
   * its pools, so no address the smaller side handed out meanwhile survives next to it.
   */
  public static void configure(Config hz, MapConfig pools, int minimum) {
    pools.getMergePolicyConfig().setPolicy(PutIfAbsentMergePolicy.class.getName());
    if (minimum < 2) return;
    if (hz.getSplitBrainProtectionConfigs().get(NAME) == null) {
      SplitBrainProtectionConfig quorum = SplitBrainProtectionConfig.newRecentlyActiveSplitBrainProtectionConfigBuilder(
          NAME, minimum, (int) NodeConfig.QUORUM_TOLERANCE_MS).enabled(true).build();
      hz.addSplitBrainProtectionConfig(quorum.setProtectOn(SplitBrainProtectionOn.READ_WRITE));
    }
    pools.setSplitBrainProtectionName(NAME);
  }

  /** The quorum of this member's pools (always present when none is configured). */
  public static NetworkQuorum of(HazelcastInstance hz) {
    SplitBrainProtectionConfig c = hz.getConfig().getSplitBrainProtectionConfigs().get(NAME);
    return new NetworkQuorum(hz, c == null || !c.isEnabled() ? 0 : c.getMinimumClusterSize());
  }

  public boolean configured() {
    return minimum > 1;
  }

  public boolean present() {
    return !configured() || hz.getSplitBrainProtectionService().getSplitBrainProtection(NAME).hasMinimumSize();
  }

  /** Why a member without quorum refuses: the message of every refusal, one place. */
  public static String refusal(int minimum) {
    return "no quorum: this member has heard from fewer than " + minimum + " data members (network-quorum, itself"
        + " included if it holds data) within the last " + NodeConfig.QUORUM_TOLERANCE_MS / 1000 + " s; no address is allocated,"
        + " renewed or freed on this side of the cluster until it heals";
  }

  public String refusal() {
    return refusal(minimum);
  }
}
