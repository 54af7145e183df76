package io.dockline.network.impl;

import io.dockline.wire.Addresses;
import io.vertx.core.json.JsonObject;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One network's pool: leases by key and by address. Only ever changed inside a {@link PoolProcessor}, so each
 * change is one atomic step on the pool's entry. Every method is deterministic given its arguments (the
 * processor runs again on the backup replica and must reach the same state).
 */
public final class PoolState implements Serializable {
  private static final long serialVersionUID = 1L;

  final PoolDefinition def;
  private final Map<String, Lease> byKey = new HashMap<>();
  private final Map<Long, Lease> byIp = new HashMap<>();
  /** Next address to try: allocation goes round the range, so a freed address is not handed out again at once. */
  private long cursor;

  PoolState(PoolDefinition def) {
    this.def = def;
    this.cursor = def.rangeFirst;
  }

  /**
   * Leases an address to {@code key}, owned by {@code owner} (the member asking: it renews the lease while it
   * lives). Asked again by its owner, answers the same lease, renewed. A lease is never moved to another owner
   * or kind: asked for by anyone else, it is refused, except that an API lease asked for again through the API
   * (answered by whichever member) is answered unchanged. {@code requested} with {@code strict}: that address or
   * an error; without: preferred if free.
   */
  IpamResult allocate(String key, String requested, boolean strict, String owner, String kind, long holdMs, long now) {
    if (key == null || key.isBlank()) return IpamResult.error(Addresses.IPAM_BAD_REQUEST, "containerId is required");
    Long wanted = null;
    if (requested != null && !requested.isBlank()) {
      try {
        wanted = Ipv4.parse(requested);
      } catch (IllegalArgumentException e) {
        if (strict) return IpamResult.error(Addresses.IPAM_BAD_REQUEST, e.getMessage());
      }
    }
    Lease held = byKey.get(key);
    if (held != null) {
      if (strict && wanted != null && held.ip != wanted) {
        return IpamResult.error(Addresses.IPAM_TAKEN, key + " already holds " + held.ip() + " on " + def.name
            + " (release it first)");
      }
      if (!held.kind.equals(kind) || !held.owner.equals(owner)) {
        if (Lease.KIND_API.equals(kind) && Lease.KIND_API.equals(held.kind)) return IpamResult.ok(held, true, false);
        return IpamResult.error(Addresses.IPAM_TAKEN, "the lease of " + key + " on " + def.name + " belongs to "
            + held.owner + " (" + held.kind + " lease): only its owner renews or moves it");
      }
      held.renewedAt = now;
      held.holdMs = holdMs;
      return IpamResult.ok(held, true, true);
    }
    if (wanted != null) {
      String refusal = def.refusal(wanted);
      Lease other = byIp.get(wanted);
      if (refusal == null && other == null) return IpamResult.ok(add(key, wanted, owner, kind, holdMs, now), false, true);
      if (strict) {
        return refusal != null ? IpamResult.error(Addresses.IPAM_BAD_REQUEST, refusal + " of network " + def.name)
            : IpamResult.error(Addresses.IPAM_TAKEN, Ipv4.format(wanted) + " on " + def.name + " is taken by "
                + other.key + " on " + other.owner);
      }
    }
    long span = def.rangeLast - def.rangeFirst + 1;
    for (long i = 0; i < span; i++) {
      long a = def.rangeFirst + Math.floorMod(cursor - def.rangeFirst + i, span);
      if (!byIp.containsKey(a) && def.refusal(a) == null) {
        cursor = a + 1 > def.rangeLast ? def.rangeFirst : a + 1;
        return IpamResult.ok(add(key, a, owner, kind, holdMs, now), false, true);
      }
    }
    return IpamResult.error(Addresses.IPAM_EXHAUSTED, "network " + def.name + " is exhausted: all " + def.size()
        + " addresses of " + def.range() + " are leased");
  }

  private Lease add(String key, long ip, String owner, String kind, long holdMs, long now) {
    Lease l = new Lease(def.name, key, ip, def.prefix(), kind, owner, now, holdMs);
    byKey.put(key, l);
    byIp.put(ip, l);
    return l;
  }

  /**
   * Frees {@code key}'s lease. With {@code owner}, only when that member owns it (a provisioner releases only
   * what it holds); with {@code kind}, only a lease of that kind. Nothing else is ever freed by key.
   */
  IpamResult release(String key, String owner, String kind) {
    Lease l = key == null ? null : byKey.get(key);
    if (l == null) return IpamResult.error(Addresses.IPAM_UNKNOWN, "no lease for " + key + " on " + def.name);
    if (owner != null && !owner.equals(l.owner)) {
      return IpamResult.error(Addresses.IPAM_TAKEN, "the lease of " + key + " on " + def.name + " belongs to " + l.owner);
    }
    if (kind != null && !kind.equals(l.kind)) {
      return IpamResult.error(Addresses.IPAM_TAKEN, "the lease of " + key + " on " + def.name + " is a " + l.kind + " lease");
    }
    byKey.remove(key);
    byIp.remove(l.ip);
    return IpamResult.ok(l, true, true);
  }

  /** The owner is alive: its leases count from now again. */
  IpamResult renew(String owner, long holdMs, long now) {
    List<Lease> renewed = new ArrayList<>();
    for (Lease l : byKey.values()) {
      if (owner.equals(l.owner)) {
        l.renewedAt = now;
        l.holdMs = holdMs;
        renewed.add(l);
      }
    }
    return IpamResult.many(renewed, !renewed.isEmpty());
  }

  /** Frees the leases not renewed for longer than their hold time: their owner is gone. */
  IpamResult expire(long now) {
    List<Lease> expired = new ArrayList<>();
    for (Iterator<Lease> it = byKey.values().iterator(); it.hasNext(); ) {
      Lease l = it.next();
      if (now - l.renewedAt > l.holdMs) {
        it.remove();
        byIp.remove(l.ip);
        expired.add(l);
      }
    }
    return IpamResult.many(expired, !expired.isEmpty());
  }

  /** Every lease, by address. */
  public List<Lease> leases() {
    List<Lease> out = new ArrayList<>(byKey.values());
    out.sort(Comparator.comparingLong(l -> l.ip));
    return out;
  }

  public PoolDefinition definition() { return def; }

  /** The pool without its leases, as the list API shows it. */
  public JsonObject toJson() {
    return new JsonObject().put("name", def.name).put("subnet", def.subnet).put("gateway", Ipv4.format(def.gateway))
        .put("range", def.range()).put("size", size()).put("free", free());
  }
  public int size() { return def.size(); }
  public int free() { return def.size() - byKey.size(); }
}
