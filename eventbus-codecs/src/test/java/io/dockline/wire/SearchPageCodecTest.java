package io.dockline.wire;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchPageCodecTest {
  private static LineMatches matches(String id, long seq, String text) {
    LineBatchBuilder b = new LineBatchBuilder();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    b.add(seq * 10, StreamKind.STDOUT.code(), (byte) 0, bytes, 0, bytes.length);
    return new LineMatches(b.take(new ContainerMeta(id, "n-" + id, "img", "h", Map.of()), seq, 10, 1 << 20),
        new long[] {seq}, seq, seq);
  }

  @Test
  void roundTripKeepsEveryContainersLinesAndHowFarTheAnswerIsWhole() {
    SearchPage page = new SearchPage(List.of(matches("aa", 3, "one"), matches("bb", 9, "two")),
        new SearchKey(90, "bb", 9));
    Buffer wire = Buffer.buffer().appendString("xy");
    new SearchPageCodec().encodeToWire(wire, page);
    SearchPage back = new SearchPageCodec().decodeFromWire(2, wire);
    assertEquals(new SearchKey(90, "bb", 9), back.complete());
    assertEquals(2, back.containers().size());
    assertEquals("two", back.containers().get(1).lines().lineText(0));
    assertEquals(9, back.containers().get(1).seq(0));
    assertEquals(2, back.lineCount());

    Buffer whole = Buffer.buffer();
    new SearchPageCodec().encodeToWire(whole, new SearchPage(List.of(), null));
    assertFalse(new SearchPageCodec().decodeFromWire(0, whole).hasMore());
  }

  @Test
  void aMalformedFrameFailsClearly() {
    Buffer wire = Buffer.buffer();
    new SearchPageCodec().encodeToWire(wire, new SearchPage(List.of(matches("aa", 3, "one")), null));
    Buffer cut = wire.slice(0, wire.length() - 5).copy();
    assertThrows(IllegalArgumentException.class, () -> new SearchPageCodec().decodeFromWire(0, cut));
    Buffer huge = wire.copy();
    huge.setInt(2, Integer.MAX_VALUE);
    assertThrows(IllegalArgumentException.class, () -> new SearchPageCodec().decodeFromWire(0, huge));
  }

  @Test
  void aCursorIsItsKeyAsTextAndNothingElseParses() {
    SearchKey k = new SearchKey(1_700_000_000_123_456_789L, "abc", 42);
    assertEquals(k, SearchKey.parse(k.toCursor()));
    assertTrue(SearchKey.before(5).compareTo(new SearchKey(5, "a", 1)) < 0);
    assertTrue(SearchKey.after(5).compareTo(new SearchKey(5, "ffff", Long.MAX_VALUE - 1)) > 0);
    for (String bad : new String[] {"", "1/2", "x/a/1", "1/a/b", "1/a/2/3"}) {
      assertThrows(IllegalArgumentException.class, () -> SearchKey.parse(bad), bad);
    }
  }
}
