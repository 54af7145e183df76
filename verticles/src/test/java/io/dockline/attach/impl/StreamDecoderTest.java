package io.dockline.attach.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dockline.wire.LineBatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamDecoderTest {
  private static final class Collected implements LineSink {
    final List<String> lines = new ArrayList<>();

    @Override
    public void line(byte stream, byte flags, byte[] buf, int off, int len) {
      String prefix = (stream == 1 ? "out" : "err") + ((flags & LineBatch.FLAG_PARTIAL) != 0 ? "+" : "") + ":";
      lines.add(prefix + new String(buf, off, len, StandardCharsets.ISO_8859_1));
    }
  }


  @Test
  void multiplexedFramesCutAtEveryPossiblePlaceGiveTheSameLines() {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    Frames.frame(s, 1, "first line\nsecond ");
    Frames.frame(s, 2, "an error\n");
    Frames.frame(s, 1, "line continued\n");
    Frames.frame(s, 2, "err without end");
    Frames.frame(s, 1, "\n\nlast");
    byte[] all = s.toByteArray();
    List<String> expected = List.of("out:first line", "err:an error", "out:second line continued", "out:", "out:",
        "out:last", "err:err without end");
    for (int cut1 = 0; cut1 <= all.length; cut1++) {
      for (int cut2 = cut1; cut2 <= all.length; cut2 += 3) {
        Collected c = new Collected();
        StreamDecoder d = new StreamDecoder(false, 1 << 20, c);
        d.feed(all, 0, cut1);
        d.feed(all, cut1, cut2 - cut1);
        d.feed(all, cut2, all.length - cut2);
        d.finish();
        assertEquals(expected.size(), c.lines.size(), "cuts " + cut1 + "," + cut2);
        assertEquals(sorted(expected), sorted(c.lines), "cuts " + cut1 + "," + cut2);
        // per stream, order is kept
        assertEquals(expected.stream().filter(l -> l.startsWith("out")).toList(),
            c.lines.stream().filter(l -> l.startsWith("out")).toList());
      }
    }
  }

  @Test
  void randomChunkingOfManyFrames() {
    Random rnd = new Random(42);
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    List<String> expectedOut = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 2000; i++) text.append("out ").append(i).append('\n');
    String t = text.toString();
    for (int i = 0; i < 2000; i++) expectedOut.add("out:out " + i);
    int p = 0;
    while (p < t.length()) {
      int n = 1 + rnd.nextInt(50);
      Frames.frame(s, 1, t.substring(p, Math.min(t.length(), p + n)));
      p += n;
    }
    byte[] all = s.toByteArray();
    Collected c = new Collected();
    StreamDecoder d = new StreamDecoder(false, 1 << 20, c);
    int q = 0;
    while (q < all.length) {
      int n = Math.min(all.length - q, 1 + rnd.nextInt(37));
      d.feed(all, q, n);
      q += n;
    }
    d.finish();
    assertEquals(expectedOut, c.lines);
  }

  @Test
  void ttyIsRawWithCarriageReturnsDropped() {
    Collected c = new Collected();
    StreamDecoder d = new StreamDecoder(true, 1 << 20, c);
    byte[] b = "one\r\ntw".getBytes(StandardCharsets.ISO_8859_1);
    d.feed(b, 0, b.length);
    byte[] b2 = "o\r\nthree".getBytes(StandardCharsets.ISO_8859_1);
    d.feed(b2, 0, b2.length);
    d.finish();
    assertEquals(List.of("out:one", "out:two", "out:three"), c.lines);
  }

  @Test
  void longLinesAreCutIntoPartialPieces() {
    Collected c = new Collected();
    LineAssembler a = new LineAssembler((byte) 1, 4, false, c);
    byte[] b = "abcdefghij\nxy\nabcd\n".getBytes(StandardCharsets.ISO_8859_1);
    a.feed(b, 0, 3);
    a.feed(b, 3, b.length - 3);
    assertEquals(List.of("out+:abcd", "out+:efgh", "out:ij", "out:xy", "out:abcd"), c.lines);

    Collected whole = new Collected();
    LineAssembler inOne = new LineAssembler((byte) 1, 4, false, whole);
    inOne.feed(b, 0, b.length);
    assertEquals(c.lines, whole.lines);
  }

  @Test
  void stoppingMidLineFlagsTheHeldPiecePartial() {
    Collected c = new Collected();
    StreamDecoder d = new StreamDecoder(true, 1 << 20, c);
    byte[] b = "done\nhalf".getBytes(StandardCharsets.ISO_8859_1);
    d.feed(b, 0, b.length);
    d.flushPartial();
    assertEquals(List.of("out:done", "out+:half"), c.lines);
  }

  private static List<String> sorted(List<String> l) {
    List<String> s = new ArrayList<>(l);
    s.sort(null);
    return s;
  }
}
