package io.dockline.collector;

/** Receives stored lines one by one; {@code data} is valid only during the call. */
@FunctionalInterface
public interface LineVisitor {
  void line(long seq, long timeNanos, byte stream, byte flags, byte[] data, int offset, int length);

  /**
   * Says that the text of the lines given next, until the next call, lies back to back in {@code data[from ..
   * to)}, in the order they come: a visitor may search it in one go ({@link TextFilter.Run}). Optional.
   */
  default void text(byte[] data, int from, int to) {}
}
