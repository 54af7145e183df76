package io.dockline.collector;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link LogStore#retain} deletes: lines older than {@code maxAge} (a container's label
 * {@value #AGE_LABEL}, e.g. {@code 3d}, overrides it for that container), then the oldest segments of a container
 * holding more than {@code containerBytes}, then the oldest segments of all containers while the store holds
 * more than {@code diskBytes}. {@link Long#MAX_VALUE} means no cap. Nothing above {@code hold} goes.
 */
public record RetentionPolicy(Duration maxAge, long containerBytes, long diskBytes, PublishHold hold) {
  /** The container label that overrides {@link #maxAge} for one container. */
  public static final String AGE_LABEL = "dockline.retention";

  public RetentionPolicy {
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(hold, "hold");
    if (maxAge.isNegative()) throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
    if (containerBytes < 0 || diskBytes < 0) {
      throw new IllegalArgumentException("byte caps must not be negative: " + containerBytes + ", " + diskBytes);
    }
  }

  /** Keeps everything: no age, no caps. */
  public static RetentionPolicy keepAll() {
    return new RetentionPolicy(Duration.ofSeconds(Long.MAX_VALUE), Long.MAX_VALUE, Long.MAX_VALUE, PublishHold.NONE);
  }
}
