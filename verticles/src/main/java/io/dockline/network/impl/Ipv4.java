package io.dockline.network.impl;

/** IPv4 addresses as unsigned 32-bit values in a long: parsed strictly, so a typo is an error, not an address. */
public final class Ipv4 {
  private Ipv4() {}

  /** @throws IllegalArgumentException unless {@code s} is a dotted quad */
  public static long parse(String s) {
    String[] parts = s == null ? new String[0] : s.trim().split("\\.", -1);
    if (parts.length != 4) throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
    long v = 0;
    for (String p : parts) {
      if (!p.matches("\\d{1,3}")) throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
      int b = Integer.parseInt(p);
      if (b > 255) throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
      v = (v << 8) | b;
    }
    return v;
  }

  public static String format(long a) {
    return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
  }

  /** A locally administered MAC with the address in its last four bytes (what Docker's macvlan driver derives too). */
  public static String mac(long a) {
    return String.format("02:42:%02x:%02x:%02x:%02x", (a >> 24) & 255, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  }

  /** {@code [first, last]} of a CIDR block {@code a.b.c.d/n}. */
  public static long[] cidr(String s) {
    int slash = s == null ? -1 : s.indexOf('/');
    if (slash < 0) throw new IllegalArgumentException("'" + s + "' is not a CIDR block (a.b.c.d/n)");
    int prefix;
    try {
      prefix = Integer.parseInt(s.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' is not a CIDR block (a.b.c.d/n)");
    }
    if (prefix < 8 || prefix > 30) throw new IllegalArgumentException("'" + s + "': prefix must be from /8 to /30");
    long base = parse(s.substring(0, slash));
    long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    if ((base & mask) != base) throw new IllegalArgumentException("'" + s + "' has host bits set");
    return new long[] {base, base | (~mask & 0xFFFFFFFFL)};
  }
}
