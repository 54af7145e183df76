package io.dockline.routing.impl;

import java.util.Collection;
import java.util.function.ToLongFunction;

/**
 * Which router checks an older stream's replicas after a collector is gone for good: the one of the routers
 * that ranks highest for the stream (rendezvous hashing), so each stream is checked by one router and a router
 * that joins or leaves moves only its share. Pure logic.
 */
public final class RepairDuty {
  private RepairDuty() {}

  /**
   * Whether {@code me} is the router that checks {@code stream}, among {@code routers} (the cluster's router
   * nodes; {@code me} counts whether listed or not).
   */
  public static boolean mine(String stream, String me, Collection<String> routers, ToLongFunction<String> hash) {
    long s = hash.applyAsLong(stream);
    long best = score(s, hash.applyAsLong(me));
    for (String r : routers) {
      if (r.equals(me)) continue;
      long h = score(s, hash.applyAsLong(r));
      if (h > best || (h == best && r.compareTo(me) < 0)) return false;
    }
    return true;
  }

  /** Both hashes through one finalizer: every bit of each moves every bit of the score. */
  private static long score(long stream, long router) {
    return Mix64.mix(stream ^ Long.rotateLeft(router, 31) ^ 0x9e3779b97f4a7c15L);
  }
}
