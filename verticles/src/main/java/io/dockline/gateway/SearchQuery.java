package io.dockline.gateway;

import io.dockline.collector.LinePredicate;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.LogLevel;
import io.dockline.wire.SearchKey;
import io.dockline.wire.StreamKind;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;

/**
 * The parameters of a search across containers ({@code GET /api/logs}, bridge {@code dockline.api.search}): the
 * containers ({@link ContainerSelector}), {@code since} / {@code until} (as {@link LogQuery} takes them),
 * {@code stream}, {@code level}, {@code text} with {@code ignoreCase}, {@code regex} (RE2 syntax), {@code order}
 * ({@code asc}, the default, or {@code desc}: newest first), {@code limit} and {@code cursor} (from the previous
 * page's {@code X-Dockline-Cursor}).
 */
record SearchQuery(ContainerSelector selector, long sinceNanos, long untilNanos, LinePredicate predicate,
                   boolean descending, int limit, SearchKey cursor) {
  static final int DEFAULT_LIMIT = 1000;

  /** @throws ApiException 400 naming the bad parameter */
  static SearchQuery parse(Function<String, String> param, Function<String, List<String>> all, long nowNanos) {
    ContainerSelector selector = ContainerSelector.of(param, all);
    long since = time(param, "since", nowNanos, Long.MIN_VALUE);
    long until = time(param, "until", nowNanos, Long.MAX_VALUE);
    if (since > until) throw ApiException.badRequest("'since' is after 'until'");
    LinePredicate predicate;
    try {
      String stream = blankToNull(param.apply("stream"));
      predicate = LinePredicate.of(stream == null ? null : StreamKind.parse(stream), levels(param.apply("level")),
          blankToNull(param.apply("text")), LogQuery.bool(param, "ignoreCase"), blankToNull(param.apply("regex")));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    String order = blankToNull(param.apply("order"));
    if (order != null && !order.equals("asc") && !order.equals("desc")) {
      throw ApiException.badRequest("'order' must be asc or desc, got '" + order + "'");
    }
    int limit = DEFAULT_LIMIT;
    String l = blankToNull(param.apply("limit"));
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > CollectorQuery.MAX_SEARCH_LIMIT) {
        throw ApiException.badRequest("'limit' must be from 1 to " + CollectorQuery.MAX_SEARCH_LIMIT);
      }
    }
    SearchKey cursor = null;
    String c = blankToNull(param.apply("cursor"));
    if (c != null) {
      try {
        cursor = SearchKey.parse(c);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("'cursor' is not one a page gave (X-Dockline-Cursor)");
      }
    }
    return new SearchQuery(selector, since, until, predicate, "desc".equals(order), limit, cursor);
  }

  private static long time(Function<String, String> param, String name, long nowNanos, long none) {
    String v = blankToNull(param.apply(name));
    return v == null ? none : LogQuery.parseTime(v, nowNanos, name);
  }

  private static EnumSet<LogLevel> levels(String v) {
    EnumSet<LogLevel> levels = EnumSet.noneOf(LogLevel.class);
    if (v == null) return levels;
    for (String name : v.split(",")) if (!name.isBlank()) levels.add(LogLevel.parse(name.trim()));
    return levels;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
