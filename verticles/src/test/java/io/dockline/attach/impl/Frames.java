package io.dockline.attach.impl;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds Docker's multiplexed stream format for tests. */
final class Frames {
  private Frames() {}

  /** Appends one frame of {@code stream} (1 stdout, 2 stderr) carrying the payload's ISO-8859-1 bytes. */
  static void frame(ByteArrayOutputStream out, int stream, String payload) {
    byte[] p = payload.getBytes(StandardCharsets.ISO_8859_1);
    out.write(stream);
    out.write(0);
    out.write(0);
    out.write(0);
    out.write(p.length >>> 24);
    out.write(p.length >>> 16);
    out.write(p.length >>> 8);
    out.write(p.length);
    out.write(p, 0, p.length);
  }
}
