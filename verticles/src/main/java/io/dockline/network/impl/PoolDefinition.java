package io.dockline.network.impl;

import io.dockline.network.NetworkSpec;
import java.io.Serializable;
import java.util.Arrays;

/** The part of a network every member must agree on: what the pool may hand out. */
public final class PoolDefinition implements Serializable {
  private static final long serialVersionUID = 1L;

  final String name;
  final String subnet;
  final long subnetFirst;
  final long subnetLast;
  final long gateway;
  final long rangeFirst;
  final long rangeLast;
  final long[] excluded;

  public PoolDefinition(NetworkSpec spec) {
    name = spec.name();
    subnet = spec.subnet();
    subnetFirst = spec.subnetFirst();
    subnetLast = spec.subnetLast();
    gateway = spec.gateway();
    rangeFirst = spec.rangeFirst();
    rangeLast = spec.rangeLast();
    excluded = spec.excluded().stream().mapToLong(Long::longValue).sorted().toArray();
  }

  public String name() { return name; }

  /** Null when the pool may lease the address, else why not. */
  String refusal(long a) {
    if (a <= subnetFirst || a >= subnetLast) return Ipv4.format(a) + " is outside the subnet " + subnet;
    if (a < rangeFirst || a > rangeLast) return Ipv4.format(a) + " is outside the range " + range();
    if (a == gateway) return Ipv4.format(a) + " is the gateway";
    if (Arrays.binarySearch(excluded, a) >= 0) return Ipv4.format(a) + " is excluded";
    return null;
  }

  int size() {
    int n = 0;
    for (long e : excluded) if (e >= rangeFirst && e <= rangeLast) n++;
    return (int) (rangeLast - rangeFirst + 1) - n;
  }

  String range() {
    return Ipv4.format(rangeFirst) + "-" + Ipv4.format(rangeLast);
  }

  int prefix() {
    return Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PoolDefinition)) return false;
    PoolDefinition d = (PoolDefinition) o;
    return name.equals(d.name) && subnet.equals(d.subnet) && gateway == d.gateway && rangeFirst == d.rangeFirst
        && rangeLast == d.rangeLast && Arrays.equals(excluded, d.excluded);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + subnet.hashCode();
  }

  @Override
  public String toString() {
    return subnet + " gateway " + Ipv4.format(gateway) + " range " + range() + " excluding "
        + Arrays.stream(excluded).mapToObj(Ipv4::format).reduce((a, b) -> a + "," + b).orElse("nothing");
  }
}
