package io.dockline.network.impl;

import java.io.Serializable;
import java.util.List;

/** What one pool operation answered: a failure code and message, or the lease(s) it touched. */
public final class IpamResult implements Serializable {
  private static final long serialVersionUID = 1L;

  final int code;
  final String message;
  final Lease lease;
  final List<Lease> leases;
  /** The lease existed before (asked twice). */
  final boolean existing;
  /** Whether the pool changed (the processor only writes the entry back when it did). */
  final transient boolean changed;

  private IpamResult(int code, String message, Lease lease, List<Lease> leases, boolean existing, boolean changed) {
    this.code = code;
    this.message = message;
    this.lease = lease;
    this.leases = leases;
    this.existing = existing;
    this.changed = changed;
  }

  static IpamResult ok(Lease lease, boolean existing, boolean changed) {
    return new IpamResult(0, null, lease.copy(), List.of(), existing, changed);
  }

  static IpamResult many(List<Lease> leases, boolean changed) {
    List<Lease> copies = new java.util.ArrayList<>(leases.size());
    for (Lease l : leases) copies.add(l.copy());
    return new IpamResult(0, null, null, copies, false, changed);
  }

  static IpamResult error(int code, String message) {
    return new IpamResult(code, message, null, List.of(), false, false);
  }

  public boolean failed() { return code != 0; }
  public int code() { return code; }
  public String message() { return message; }
  public Lease lease() { return lease; }
  public List<Lease> leases() { return leases; }
  public boolean existing() { return existing; }
}
