package io.dockline.wire;

import java.util.List;

/**
 * A collector's answer to a fleet search ({@link CollectorQuery#SEARCH}): the matching lines it holds that come
 * next in the search's order, grouped by container ({@link LineMatches}, each in seq order). {@code complete}
 * is how far the answer is whole: every matching line the collector holds with a key up to it (inclusive, in
 * the search's direction) is here. It is null when the collector holds no matching line beyond those given,
 * so the asker may merge this answer with others up to the smallest {@code complete} of those that have one.
 */
public record SearchPage(List<LineMatches> containers, SearchKey complete) {
  public SearchPage {
    containers = List.copyOf(containers);
  }

  /** Whether lines may follow those given. */
  public boolean hasMore() { return complete != null; }

  public int lineCount() {
    int n = 0;
    for (LineMatches m : containers) n += m.count();
    return n;
  }
}
