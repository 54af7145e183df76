package io.dockline.network.impl;

import com.hazelcast.map.EntryProcessor;
import io.dockline.wire.Addresses;
import java.util.Map;

/**
 * One change to one pool, run by Hazelcast on the member that owns the pool's partition: operations on a pool
 * never interleave. The time is taken once, on that member, and travels with the processor to the backup.
 */
public final class PoolProcessor implements EntryProcessor<String, PoolState, IpamResult> {
  private static final long serialVersionUID = 1L;

  enum Op { DEFINE, ALLOCATE, RELEASE, RENEW, EXPIRE }

  private final Op op;
  private PoolDefinition def;
  private String key;
  private String ip;
  private boolean strict;
  private String owner;
  private String kind;
  private long holdMs;
  private long now;

  private PoolProcessor(Op op) {
    this.op = op;
  }

  /** Creates the pool, or checks that the existing one has the same definition. */
  public static PoolProcessor define(PoolDefinition def) {
    PoolProcessor p = new PoolProcessor(Op.DEFINE);
    p.def = def;
    return p;
  }

  public static PoolProcessor allocate(String key, String ip, boolean strict, String owner, String kind, long holdMs) {
    PoolProcessor p = new PoolProcessor(Op.ALLOCATE);
    p.key = key;
    p.ip = ip;
    p.strict = strict;
    p.owner = owner;
    p.kind = kind;
    p.holdMs = holdMs;
    return p;
  }

  /** {@code owner}/{@code kind} null: whoever holds it. */
  public static PoolProcessor release(String key, String owner, String kind) {
    PoolProcessor p = new PoolProcessor(Op.RELEASE);
    p.key = key;
    p.owner = owner;
    p.kind = kind;
    return p;
  }

  public static PoolProcessor renew(String owner, long holdMs) {
    PoolProcessor p = new PoolProcessor(Op.RENEW);
    p.owner = owner;
    p.holdMs = holdMs;
    return p;
  }

  public static PoolProcessor expire() {
    return new PoolProcessor(Op.EXPIRE);
  }

  @Override
  public IpamResult process(Map.Entry<String, PoolState> entry) {
    if (now == 0) now = System.currentTimeMillis();
    PoolState pool = entry.getValue();
    if (op == Op.DEFINE) {
      if (pool == null) {
        entry.setValue(new PoolState(def));
        return IpamResult.many(java.util.List.of(), true);
      }
      if (pool.def.equals(def)) return IpamResult.many(java.util.List.of(), false);
      return IpamResult.error(Addresses.IPAM_TAKEN, "network " + def.name + " is defined in the cluster as "
          + pool.def + ", here as " + def);
    }
    if (pool == null) return IpamResult.error(Addresses.IPAM_UNKNOWN, "unknown network '" + entry.getKey() + "'");
    IpamResult r;
    switch (op) {
      case ALLOCATE: r = pool.allocate(key, ip, strict, owner, kind, holdMs, now); break;
      case RELEASE: r = pool.release(key, owner, kind); break;
      case RENEW: r = pool.renew(owner, holdMs, now); break;
      case EXPIRE: r = pool.expire(now); break;
      default: throw new IllegalStateException(op.toString());
    }
    if (r.changed) entry.setValue(pool);
    return r;
  }
}
