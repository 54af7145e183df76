package io.dockline.launcher;

import java.util.logging.LogManager;

/**
 * The JDK resets logging from its own shutdown hook, which would silence what a node says while it stops.
 * This manager resets only when the launcher is done.
 */
public final class DocklineLogManager extends LogManager {
  private static volatile DocklineLogManager instance;

  public DocklineLogManager() {
    instance = this;
  }

  @Override
  public void reset() {
    // ignored: called by the JDK's shutdown hook while the node is still draining
  }

  static void resetFinally() {
    DocklineLogManager m = instance;
    if (m != null) m.reallyReset();
  }

  private void reallyReset() {
    super.reset();
  }
}
