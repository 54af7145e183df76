package io.dockline.gateway;

import io.dockline.collector.LinePredicate;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.SearchKey;
import io.dockline.wire.StreamKind;
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
      String stream = LogQuery.optional(param.apply("stream"));
      predicate = LinePredicate.of(stream == null ? null : StreamKind.parse(stream), LogQuery.levels(param),
          LogQuery.optional(param.apply("text")), LogQuery.bool(param, "ignoreCase"), LogQuery.optional(param.apply("regex")));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    String order = LogQuery.optional(param.apply("order"));
    if (order != null && !order.equals("asc") && !order.equals("desc")) {
      throw ApiException.badRequest("'order' must be asc or desc, got '" + order + "'");
    }
    int limit = (int) LogQuery.number(param, "limit", DEFAULT_LIMIT, 1, CollectorQuery.MAX_SEARCH_LIMIT);
    SearchKey cursor = null;
    String c = LogQuery.optional(param.apply("cursor"));
    if (c != null) {
      try {
        cursor = SearchKey.parse(c);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("'cursor' is not one a page gave (X-Dockline-Cursor)");
      }
    }
    return new SearchQuery(selector, since, until, predicate, "desc".equals(order), limit, cursor);
  }

  /** The same query continuing after {@code cursor}. */
  SearchQuery after(SearchKey cursor) {
    return new SearchQuery(selector, sinceNanos, untilNanos, predicate, descending, limit, cursor);
  }

  /** The same query, ascending, continuing after {@code cursor}, up to {@code until} at the latest. */
  SearchQuery after(SearchKey cursor, long until) {
    return new SearchQuery(selector, sinceNanos, Math.min(untilNanos, until), predicate, false, limit, cursor);
  }

  private static long time(Function<String, String> param, String name, long nowNanos, long none) {
    String v = LogQuery.optional(param.apply(name));
    return v == null ? none : LogQuery.parseTime(v, nowNanos, name);
  }
}
