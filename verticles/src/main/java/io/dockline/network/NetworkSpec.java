package io.dockline.network;

import io.dockline.network.impl.Ipv4;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One configured macvlan network: its host side (parent interface, VLAN) and its pool (subnet, gateway, the
 * range the cluster allocates from, excluded addresses). The pool part must be the same on every member.
 */
public final class NetworkSpec {
  private static final Set<String> KEYS = Set.of("name", "parent", "vlan", "subnet", "gateway", "range", "exclude",
      "dockerRange", "shim", "ipv6");

  private final String name;
  private final String parent;
  private final Integer vlan;
  private final String subnet;
  private final long subnetFirst;
  private final long subnetLast;
  private final long gateway;
  private final long rangeFirst;
  private final long rangeLast;
  private final List<Long> excluded;
  private final String dockerRange;
  private final String shim;

  private NetworkSpec(JsonObject j) {
    name = j.getString("name", "");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) throw bad("name '" + name + "': letters, digits, '_', '.', '-'");
    parent = j.getString("parent", "");
    if (!parent.matches("[A-Za-z0-9_.@-]{1,15}")) throw bad("parent '" + parent + "' is not an interface name");
    vlan = j.getInteger("vlan");
    if (vlan != null && (vlan < 1 || vlan > 4094)) throw bad("vlan " + vlan + " is not from 1 to 4094");
    if (j.containsKey("ipv6")) throw bad("IPv6 pools are not supported yet (remove \"ipv6\")");
    subnet = j.getString("subnet", "");
    long[] s = Ipv4.cidr(subnet);
    subnetFirst = s[0];
    subnetLast = s[1];
    gateway = j.containsKey("gateway") ? Ipv4.parse(j.getString("gateway")) : subnetFirst + 1;
    if (!inSubnet(gateway)) throw bad("gateway " + Ipv4.format(gateway) + " is outside " + subnet);
    String range = j.getString("range", Ipv4.format(subnetFirst + 1) + "-" + Ipv4.format(subnetLast - 1));
    String[] r = range.split("-");
    if (r.length != 2) throw bad("range '" + range + "': expected first-last");
    rangeFirst = Ipv4.parse(r[0]);
    rangeLast = Ipv4.parse(r[1]);
    if (rangeFirst > rangeLast) throw bad("range '" + range + "' ends before it starts");
    if (rangeFirst <= subnetFirst || rangeLast >= subnetLast) {
      throw bad("range '" + range + "' must lie inside " + subnet + " without its network and broadcast address");
    }
    Set<Long> ex = new TreeSet<>();
    JsonArray exclude = j.getJsonArray("exclude", new JsonArray());
    for (Object o : exclude) ex.add(Ipv4.parse(String.valueOf(o)));
    ex.add(gateway);
    excluded = Collections.unmodifiableList(new ArrayList<>(ex));
    dockerRange = j.getString("dockerRange");
    if (dockerRange != null) {
      long[] d = Ipv4.cidr(dockerRange);
      if (d[0] < subnetFirst || d[1] > subnetLast) throw bad("dockerRange " + dockerRange + " is outside " + subnet);
      if (d[0] <= rangeLast && d[1] >= rangeFirst) throw bad("dockerRange " + dockerRange + " overlaps range " + range);
    }
    shim = j.getString("shim");
    if (shim != null && !shim.matches("[A-Za-z0-9_.-]{1,15}")) throw bad("shim '" + shim + "' is not an interface name");
    for (String k : j.fieldNames()) if (!KEYS.contains(k)) throw bad("unknown key '" + k + "'");
  }

  /** @throws IllegalArgumentException naming the network and what is wrong */
  public static NetworkSpec parse(JsonObject json) {
    try {
      return new NetworkSpec(json);
    } catch (IllegalArgumentException | ClassCastException e) {
      String n = json.getValue("name") == null ? "?" : String.valueOf(json.getValue("name"));
      String m = e.getMessage();
      throw new IllegalArgumentException("network '" + n + "': " + (m.startsWith("network '") ? m.substring(m.indexOf(": ") + 2) : m));
    }
  }

  /** Parses every network, refusing two with the same name or the same parent (Docker allows one macvlan a parent). */
  public static List<NetworkSpec> parseAll(List<JsonObject> json) {
    List<NetworkSpec> out = new ArrayList<>();
    Set<String> names = new TreeSet<>();
    Set<String> parents = new TreeSet<>();
    for (JsonObject j : json) {
      NetworkSpec n = parse(j);
      if (!names.add(n.name)) throw new IllegalArgumentException("network '" + n.name + "' is configured twice");
      if (!parents.add(n.dockerParent())) {
        throw new IllegalArgumentException("network '" + n.name + "': parent " + n.dockerParent() + " already used");
      }
      out.add(n);
    }
    return out;
  }

  private IllegalArgumentException bad(String why) {
    return new IllegalArgumentException(why);
  }

  private boolean inSubnet(long a) {
    return a > subnetFirst && a < subnetLast;
  }

  public String name() { return name; }
  /** The interface Docker creates the macvlan on: {@code parent} or {@code parent.vlan}. */
  public String dockerParent() { return vlan == null ? parent : parent + "." + vlan; }
  public String subnet() { return subnet; }
  public int prefix() { return Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1)); }
  public long gateway() { return gateway; }
  public long rangeFirst() { return rangeFirst; }
  public long rangeLast() { return rangeLast; }
  public List<Long> excluded() { return excluded; }
  /** The CIDR Docker's own allocator uses for a container started before it was connected; null: the subnet. */
  public String dockerRange() { return dockerRange; }
  /** The host's own macvlan interface on the parent (so the host reaches its containers), or null: none. */
  public String shim() { return shim; }
  public long subnetFirst() { return subnetFirst; }
  public long subnetLast() { return subnetLast; }
}
