package io.dockline.network.impl;

import io.vertx.core.json.JsonObject;
import java.io.Serializable;

/**
 * One address held by one key (a container id), owned by the member that serves the container (for API leases,
 * the member that answered): only the owner renews it, and it never changes owner.
 */
public final class Lease implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Leases the provisioner made for a container on its host; reconciled against that host's Docker. */
  public static final String KIND_CONTAINER = "container";
  /** Leases asked for through the event bus (an operator's); kept until released or their owner is lost. */
  public static final String KIND_API = "api";
  /** A host's own address (its shim interface); kept while the host's member lives. */
  public static final String KIND_HOST = "host";

  final String network;
  final String key;
  final long ip;
  final int prefix;
  final String kind;
  final long createdAt;
  final String owner;
  long renewedAt;
  /** How long after its last renewal the lease outlives a lost owner (the owner's TTL plus grace). */
  long holdMs;

  Lease(String network, String key, long ip, int prefix, String kind, String owner, long now, long holdMs) {
    this.network = network;
    this.key = key;
    this.ip = ip;
    this.prefix = prefix;
    this.kind = kind;
    this.owner = owner;
    this.createdAt = now;
    this.renewedAt = now;
    this.holdMs = holdMs;
  }

  /** A snapshot: results leave the partition thread, the pool's own leases must not. */
  Lease copy() {
    Lease l = new Lease(network, key, ip, prefix, kind, owner, createdAt, holdMs);
    l.renewedAt = renewedAt;
    return l;
  }

  public String key() { return key; }
  public String ip() { return Ipv4.format(ip); }
  public String mac() { return Ipv4.mac(ip); }
  public String owner() { return owner; }
  public String kind() { return kind; }
  public String network() { return network; }

  public JsonObject toJson() {
    return new JsonObject().put("network", network).put("containerId", key).put("ip", ip()).put("prefix", prefix)
        .put("mac", mac()).put("host", owner).put("kind", kind).put("createdAt", createdAt)
        .put("renewedAt", renewedAt).put("expiresAfterMs", holdMs);
  }

  @Override
  public String toString() {
    return ip() + " for " + key + " on " + owner;
  }
}
