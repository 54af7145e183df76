package io.dockline.network.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's own macvlan interface on a network's parent. macvlan keeps a parent and its macvlan children
 * apart, so a host cannot reach its own containers through the parent; a sibling macvlan (bridge mode) with
 * an address of the pool and routes for the allocation range can. Set up with {@code ip} (needs CAP_NET_ADMIN
 * in the host's network namespace). Blocking.
 */
public final class HostShim {
  private HostShim() {}

  /** The lease key of a member's shim address. */
  public static String leaseKey(String member) {
    return "host:" + member;
  }

  /** The IPv4 address on the interface now, or null (no interface or no address). */
  public static String currentAddress(String iface) throws IOException, InterruptedException {
    if (!java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net", iface))) return null;
    for (String word : ip("-4", "-o", "addr", "show", "dev", iface).split("\\s+")) {
      if (word.contains("/") && word.matches("[0-9.]+/\\d+")) return word.substring(0, word.indexOf('/'));
    }
    return null;
  }

  /** Creates or fixes the interface: the lease's MAC and address, up, routes for the range through it. */
  public static void ensure(String iface, String parent, Lease lease, long rangeFirst, long rangeLast)
      throws IOException, InterruptedException {
    if (!java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net", iface))) {
      ip("link", "add", iface, "link", parent, "type", "macvlan", "mode", "bridge");
    }
    ip("link", "set", iface, "address", lease.mac());
    if (!lease.ip().equals(currentAddress(iface))) {
      ip("addr", "flush", "dev", iface);
      ip("addr", "add", lease.ip() + "/32", "dev", iface);
    }
    ip("link", "set", iface, "up");
    for (String block : blocks(rangeFirst, rangeLast)) ip("route", "replace", block, "dev", iface);
  }

  /** Removes the interface's addresses (their lease may be given away); {@link #ensure} puts the leased one back. */
  public static Void takeDown(String iface) throws IOException, InterruptedException {
    if (java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net", iface))) ip("addr", "flush", "dev", iface);
    return null;
  }

  /** The fewest CIDR blocks that cover {@code [first, last]} exactly. */
  static List<String> blocks(long first, long last) {
    List<String> out = new ArrayList<>();
    long a = first;
    while (a <= last) {
      int size = 0;
      while (size < 32 && (a & ((1L << (size + 1)) - 1)) == 0 && a + (1L << (size + 1)) - 1 <= last) size++;
      out.add(Ipv4.format(a) + "/" + (32 - size));
      a += 1L << size;
    }
    return out;
  }

  private static String ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
