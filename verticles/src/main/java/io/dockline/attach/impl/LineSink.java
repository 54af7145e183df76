package io.dockline.attach.impl;

/** Receives whole lines (without the newline); the bytes are only valid during the call. */
public interface LineSink {
  void line(byte stream, byte flags, byte[] buf, int off, int len);
}
