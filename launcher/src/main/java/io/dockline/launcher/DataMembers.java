package io.dockline.launcher;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.dockline.config.Meters;
import io.dockline.config.NodeStatus;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.DistributedObjectEvent;
import com.hazelcast.core.DistributedObjectListener;
import com.hazelcast.map.IMap;
import com.hazelcast.map.LocalMapStats;
import com.hazelcast.multimap.MultiMap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.logging.Logger;

/**
 * The cluster's data members (those holding its maps' partitions), as this member sees them: their count goes
 * to {@link NodeStatus} ({@code /health}) and a log line says when the cluster has none, and when it has one
 * again. On a data member, partition replica migrations are counted ({@code
 * dockline_cluster_partition_migrations_total}): a lite member joining or leaving moves none. On every member,
 * the operations it calls on each cluster map ({@code dockline_cluster_map_operations_total}, by map, from
 * Hazelcast's local map statistics, which count at the caller): summed over the members, what the fleet asks
 * of the members that hold the data.
 */
final class DataMembers implements MembershipListener {
  private static final Logger LOG = Logger.getLogger(DataMembers.class.getName());

  private final HazelcastInstance hz;
  private final NodeStatus status;
  private final boolean self;
  private int last = -1;

  private DataMembers(HazelcastInstance hz, NodeStatus status, boolean self) {
    this.hz = hz;
    this.status = status;
    this.self = self;
  }

  static void watch(HazelcastInstance hz, NodeStatus status, MeterRegistry registry, String node) {
    boolean self = !hz.getCluster().getLocalMember().isLiteMember();
    DataMembers members = new DataMembers(hz, status, self);
    hz.getCluster().addMembershipListener(members);
    members.count();
    if (self) countMigrations(hz, Meters.counter(registry, node, "dockline.cluster.partition.migrations",
        "partition replicas migrated between data members, as this data member is told"));
    countMapOperations(hz, registry, node);
  }

  /** A counter per cluster map (and multimap, Vert.x's subscriptions among them), as maps are created. */
  private static void countMapOperations(HazelcastInstance hz, MeterRegistry registry, String node) {
    java.util.function.Consumer<DistributedObject> count = o -> {
      if (!(o instanceof IMap<?, ?>) && !(o instanceof MultiMap<?, ?>)) return;
      FunctionCounter.builder("dockline.cluster.map.operations", o, DataMembers::operations)
          .description("operations this member called on the cluster map (gets, puts, sets, removes and others, "
              + "e.g. entry listings), from Hazelcast's local map statistics")
          .tags("node", node, "map", o.getName()).register(registry);
    };
    hz.addDistributedObjectListener(new DistributedObjectListener() {
      @Override
      public void distributedObjectCreated(DistributedObjectEvent event) {
        if (event.getDistributedObject() != null) count.accept(event.getDistributedObject());
      }

      @Override
      public void distributedObjectDestroyed(DistributedObjectEvent event) {}
    });
    hz.getDistributedObjects().forEach(count);
  }

  private static double operations(DistributedObject o) {
    LocalMapStats s = o instanceof IMap<?, ?> m ? m.getLocalMapStats() : ((MultiMap<?, ?>) o).getLocalMultiMapStats();
    return s.getGetOperationCount() + s.getPutOperationCount() + s.getSetOperationCount()
        + s.getRemoveOperationCount() + s.getOtherOperationCount();
  }

  private static void countMigrations(HazelcastInstance hz, Counter migrations) {
    hz.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {}

      @Override
      public void migrationFinished(MigrationState state) {}

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
        migrations.increment();
      }

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {}
    });
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    count();
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    count();
  }

  /** The members holding the cluster's data, as {@code hz} sees them. */
  static int count(HazelcastInstance hz) {
    return (int) hz.getCluster().getMembers().stream().filter(m -> !m.isLiteMember()).count();
  }

  private synchronized void count() {
    int now = count(hz);
    status.dataMembers(self, now);
    if (now == 0 && last != 0) LOG.warning(NodeStatus.NO_DATA_MEMBER);
    if (now > 0 && last == 0) LOG.info("the cluster has a data member again (" + now + "): its maps are available");
    last = now;
  }
}
