package io.dockline.collector.impl;

/** Container ids become directory names, so only a conservative character set is let through. */
final class ContainerIds {
  private static final int MAX_LENGTH = 255;

  private ContainerIds() {}

  static boolean isSafe(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH || id.charAt(0) == '.') return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-';
      if (!ok) return false;
    }
    return true;
  }

  static String requireSafe(String id) {
    if (!isSafe(id)) {
      throw new IllegalArgumentException("container id is not a safe directory name ([A-Za-z0-9_.-], "
          + "not starting with '.'): " + id);
    }
    return id;
  }
}
