package io.dockline.collector;

/**
 * What another part of the system still needs from the store: retention never deletes a line of a container
 * with a seq above {@link #releasedThrough}. The hook a hand-off to another system (Kafka) implements: its
 * stream's lines wait on disk until they are published.
 */
@FunctionalInterface
public interface PublishHold {
  /** Nothing is held back. */
  PublishHold NONE = containerId -> Long.MAX_VALUE;

  /** The highest seq of the container that may be deleted; called from the store's writer thread. */
  long releasedThrough(String containerId);
}
