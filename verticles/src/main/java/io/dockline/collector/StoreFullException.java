package io.dockline.collector;

import java.io.IOException;

/**
 * The disk (or a quota) had no room for a write. The store then holds exactly what it held before the
 * failing call: a partial segment or log write is cut back and no seq moves, so the same batch appended once
 * there is room again is stored once, and every file stays readable. Batches appended before it, in the same
 * group, stay appended: the caller decides whether to {@link LogStore#sync()} and acknowledge them.
 */
public final class StoreFullException extends IOException {
  public StoreFullException(String message, IOException cause) {
    super(message, cause);
  }
}
