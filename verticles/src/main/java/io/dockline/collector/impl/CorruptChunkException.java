package io.dockline.collector.impl;

import java.io.IOException;

/** A chunk that is cut short or does not check out; recovery truncates from it, reads report it. */
final class CorruptChunkException extends IOException {
  CorruptChunkException(String message) {
    super(message);
  }
}
