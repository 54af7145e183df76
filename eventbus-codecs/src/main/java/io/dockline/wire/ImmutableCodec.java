package io.dockline.wire;

import io.vertx.core.eventbus.MessageCodec;

/**
 * A user codec of an immutable message type: local delivery passes the object itself, and the codec is known
 * by its name alone (no system codec id).
 */
abstract class ImmutableCodec<T> implements MessageCodec<T, T> {
  private final String name;

  ImmutableCodec(String name) {
    this.name = name;
  }

  @Override
  public final T transform(T message) {
    return message;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final byte systemCodecID() {
    return -1;
  }
}
