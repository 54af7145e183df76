package io.dockline.gateway;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.collector.LogStore;
import io.dockline.collector.LogStoreOptions;
import io.dockline.collector.TextFilter;
import io.dockline.wire.Addresses;
import io.dockline.wire.CollectorQuery;
import io.dockline.wire.ContainerMeta;
import io.dockline.wire.LineBatchBuilder;
import io.dockline.wire.StreamKind;
import io.dockline.wire.WireCodecs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pages of a text search over two collectors holding one container (a handover: the first holds seqs 1..1500,
 * the second 1001..3000): one that filters (answers {@code LineMatches}) and one of a release before filtered
 * reads, which ignores the text and answers every line. Either way a page holds exactly the lines a plain filter
 * keeps, once each, in order, and paging after the seq each page scanned through misses none.
 */
class LogPagesTest {
  private static final ContainerMeta META = new ContainerMeta("cccc", "c", "img", "h", Map.of());
  @TempDir Path dir;
  private Vertx vertx;
  private LogStore older;
  private LogStore newer;
  private final List<String> lines = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    for (int seq = 1; seq <= 3000; seq++) lines.add("line " + seq + (seq % 97 == 0 ? " hit" : "") + (seq % 5 == 0 ? " five" : ""));
    older = LogStore.open(dir.resolve("older"), new LogStoreOptions().segmentBytes(16 << 10));
    newer = LogStore.open(dir.resolve("newer"), new LogStoreOptions().segmentBytes(16 << 10));
    append(older, 1, 1500);
    append(newer, 1001, 3000);
    vertx = Vertx.vertx();
    WireCodecs.registerAll(vertx.eventBus());
    // a collector before filtered reads: the text is not a field it knows
    vertx.eventBus().<JsonObject>consumer(Addresses.collectorQuery("older"), m -> m.reply(call(() ->
        older.read("cccc", m.body().getLong("after"), m.body().getInteger("limit")))));
    vertx.eventBus().<JsonObject>consumer(Addresses.collectorQuery("newer"), m -> {
      JsonObject q = m.body();
      String text = q.getString(CollectorQuery.TEXT);
      m.reply(call(() -> text == null ? newer.read("cccc", q.getLong("after"), q.getInteger("limit"))
          : newer.search("cccc", q.getLong("after"), TextFilter.of(text), q.getInteger("limit"), q.getInteger(CollectorQuery.SCAN))));
    });
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    older.close();
    newer.close();
  }

  @Test
  void textSearchPagesEqualAPlainFilterWhetherOrNotACollectorFilters() throws Exception {
    // stretches of the default size (one request covers it all), and small ones: the search asks for the next
    // stretch before it has this one's answer, across the handover and the collector that ignores the stretch
    for (int stretch : new int[] {LogPages.SEARCH_STRETCH, 7, 250}) {
      searchPagesEqualAPlainFilter(new LogPages(new ClusterView(vertx, null, null), stretch, LogPages.READ_STRETCH));
    }
  }

  @Test
  void plainReadsPageThroughEveryLineOnceWhateverTheStretch() throws Exception {
    JsonObject container = new JsonObject().put("id", "cccc").put("firstSeq", 1L).put("lastSeq", 3000L)
        .put("collectors", new JsonArray().add(new JsonObject().put("node", "older").put("lastSeq", 1500L))
            .add(new JsonObject().put("node", "newer").put("lastSeq", 3000L)));
    for (int stretch : new int[] {LogPages.READ_STRETCH, 7, 250}) {
      LogPages pages = new LogPages(new ClusterView(vertx, null, null), LogPages.SEARCH_STRETCH, stretch);
      for (int limit : new int[] {100_000, 1000, 3}) {
        List<Long> got = new ArrayList<>();
        long after = 0;
        for (int n = 0; ; n++) {
          assertTrue(n < 5000, "paging ends");
          LogQuery q = LogQuery.parse(Map.of("after", Long.toString(after), "limit", Integer.toString(limit))::get, 0);
          LogPages.Page page = pages.page(container, q).await(30, TimeUnit.SECONDS);
          assertEquals(Math.min(limit, 3000 - after), page.lines.size(), "a full page, stretch " + stretch);
          for (StoredLine l : page.lines) got.add(l.seq());
          if (!page.more) break;
          after = page.scannedThrough;
        }
        List<Long> expected = new ArrayList<>();
        for (long seq = 1; seq <= 3000; seq++) expected.add(seq);
        assertEquals(expected, got, "limit " + limit + ", stretch " + stretch);
      }
    }
  }

  private void searchPagesEqualAPlainFilter(LogPages pages) throws Exception {
    JsonObject container = new JsonObject().put("id", "cccc").put("firstSeq", 1L).put("lastSeq", 3000L)
        .put("collectors", new JsonArray().add(new JsonObject().put("node", "older").put("lastSeq", 1500L))
            .add(new JsonObject().put("node", "newer").put("lastSeq", 3000L)));
    for (String text : List.of("hit", "five", "line 1", "none such")) {
      List<Long> expected = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(text)) expected.add(i + 1L);
      for (int limit : new int[] {100_000, 3, 1}) {
        if (limit == 1 && expected.size() > 50) continue;
        List<Long> got = new ArrayList<>();
        long after = 0;
        for (int n = 0; ; n++) {
          assertTrue(n < 5000, "paging ends");
          long a = after;
          LogQuery q = LogQuery.parse(Map.of("text", text, "after", Long.toString(a), "limit", Integer.toString(limit))::get, 0);
          LogPages.Page page = pages.page(container, q).await(30, TimeUnit.SECONDS);
          assertTrue(page.lines.size() <= limit);
          for (StoredLine l : page.lines) {
            got.add(l.seq());
            assertEquals(lines.get((int) l.seq() - 1), new JsonObject(l.toJson().encode()).getString("line"));
          }
          if (!page.more) break;
          assertTrue(page.scannedThrough > after, "moves on");
          after = page.scannedThrough;
        }
        assertEquals(expected, got, "'" + text + "' limit " + limit + ", stretch " + pages.searchStretch);
      }
    }
  }

  private void append(LogStore store, int from, int to) throws Exception {
    for (int start = from; start <= to; start += 100) {
      LineBatchBuilder b = new LineBatchBuilder();
      for (int seq = start; seq < Math.min(to + 1, start + 100); seq++) {
        byte[] l = lines.get(seq - 1).getBytes(StandardCharsets.UTF_8);
        b.add(seq * 1_000_000L, StreamKind.STDOUT.code(), (byte) 0, l, 0, l.length);
      }
      store.append(b.take(META, start, Integer.MAX_VALUE, Integer.MAX_VALUE), start - 1);
    }
    store.sync();
  }

  private interface Read {
    Object get() throws Exception;
  }

  private static Object call(Read r) {
    try {
      return r.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
