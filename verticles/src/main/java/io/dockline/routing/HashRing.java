package io.dockline.routing;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A consistent-hash ring: each member owns many points (virtual nodes) on a 64-bit circle and a key belongs to
 * the first point clockwise from its hash. Adding or removing one of N members moves about 1/N of the keys.
 * Immutable; build a new ring when the members change.
 */
public final class HashRing {
  public static final int DEFAULT_POINTS_PER_MEMBER = 160;

  private final TreeMap<Long, String> points = new TreeMap<>();
  private final Set<String> members;

  public HashRing(Collection<String> members) {
    this(members, DEFAULT_POINTS_PER_MEMBER);
  }

  public HashRing(Collection<String> members, int pointsPerMember) {
    this.members = java.util.Collections.unmodifiableSet(new TreeSet<>(members));
    for (String m : this.members) {
      for (int i = 0; i < pointsPerMember; i++) {
        // on a collision the lexically smaller member keeps the point, so every node builds the same ring
        points.merge(hash(m + "#" + i), m, (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    }
  }

  public Set<String> members() {
    return members;
  }

  public boolean isEmpty() {
    return members.isEmpty();
  }

  /** The member owning the key, or null when the ring is empty. */
  public String owner(String key) {
    if (points.isEmpty()) return null;
    Map.Entry<Long, String> e = points.ceilingEntry(hash(key));
    return (e != null ? e : points.firstEntry()).getValue();
  }

  /**
   * Every member once, in the order met walking clockwise from the key's hash: the owner first, then the
   * member the key would go to if the owner could not take it, and so on.
   */
  public java.util.List<String> preference(String key) {
    java.util.List<String> order = new java.util.ArrayList<>(members.size());
    if (points.isEmpty()) return order;
    Set<String> seen = new java.util.HashSet<>();
    long h = hash(key);
    for (String m : points.tailMap(h, true).values()) {
      if (seen.add(m)) order.add(m);
      if (order.size() == members.size()) return order;
    }
    for (String m : points.headMap(h, false).values()) {
      if (seen.add(m)) order.add(m);
      if (order.size() == members.size()) return order;
    }
    return order;
  }

  /** 64-bit FNV-1a followed by a MurmurHash3 finalizer: cheap, stable across JVMs, well spread. */
  static long hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return io.dockline.routing.impl.Mix64.mix(h);
  }
}
