package io.dockline.collector;

/** Receives stored lines one by one; {@code data} is valid only during the call. */
@FunctionalInterface
public interface LineVisitor {
  void line(long seq, long timeNanos, byte stream, byte flags, byte[] data, int offset, int length);
}
