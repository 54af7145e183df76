package io.dockline.attach.impl;

import static org.junit.jupiter.api.Assertions.*;

import io.dockline.wire.LineBatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogsDecoderTest {
  private static final String T1 = "2026-11-29T04:15:05.441517336Z";
  private static final long T1_NANOS = 1795925705_441517336L;

  private final List<String> lines = new ArrayList<>();
  private final List<Long> times = new ArrayList<>();
  private final List<Byte> flags = new ArrayList<>();

  private LogsDecoder decoder(boolean tty, int maxLine) {
    return new LogsDecoder(tty, maxLine, (stream, f, t, buf, off, len) -> {
      lines.add(stream + ":" + new String(buf, off, len, StandardCharsets.UTF_8));
      times.add(t);
      flags.add(f);
    });
  }


  @Test
  void piecesOfALongLineAreMergedAcrossFramesCutAnywhere() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Frames.frame(out, 1, T1 + " hello\n");
    Frames.frame(out, 2, T1 + " err\n");
    String a = "a".repeat(LogsDecoder.PIECE_BYTES);
    Frames.frame(out, 1, T1 + " " + a);       // a 16 KiB piece: no newline
    Frames.frame(out, 2, T1 + " err 2\n");    // the other stream goes on meanwhile
    Frames.frame(out, 1, T1 + " " + a);
    Frames.frame(out, 1, T1 + " bbbb\n");     // the rest of the line
    Frames.frame(out, 1, T1 + " " + a);
    Frames.frame(out, 1, T1 + " cccc");       // the `local` driver's last piece has no newline
    Frames.frame(out, 1, T1 + " next\n");
    Frames.frame(out, 1, T1 + " no newline at the end");
    byte[] all = out.toByteArray();
    LogsDecoder d = decoder(false, 1 << 20);
    for (int i = 0; i < all.length; i += 3) d.feed(all, i, Math.min(3, all.length - i)); // cut anywhere
    assertEquals(List.of("1:hello", "2:err", "2:err 2", "1:" + a + a + "bbbb", "1:" + a + "cccc", "1:next",
        "1:no newline at the end"), lines, "a message shorter than a piece without a newline ends its line");
    d.finish();
    assertEquals(7, lines.size());
    assertEquals(T1_NANOS, times.get(0));
  }

  @Test
  void aLineLongerThanTheMaximumIsCutIntoPartialPieces() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Frames.frame(out, 1, T1 + " 0123456789\n");
    byte[] all = out.toByteArray();
    LogsDecoder d = decoder(false, 4);
    d.feed(all, 0, all.length);
    assertEquals(List.of("1:0123", "1:4567", "1:89"), lines);
    assertEquals(List.of(LineBatch.FLAG_PARTIAL, LineBatch.FLAG_PARTIAL, (byte) 0), flags);
  }

  @Test
  void ttyOutputIsOneMessagePerLine() {
    byte[] all = (T1 + " one\r\n" + "2026-11-29T04:15:06Z two\r\n").getBytes(StandardCharsets.UTF_8);
    LogsDecoder d = decoder(true, 1 << 20);
    d.feed(all, 0, 10);
    d.feed(all, 10, all.length - 10);
    assertEquals(List.of("1:one", "1:two"), lines);
    assertEquals(1795925706_000000000L, times.get(1));
  }

  @Test
  void ttyOutputWithoutNewlinesIsCutAtTheMaximumLineSizeAsItArrives() {
    // a progress bar redrawn with "\r" only: Docker keeps it as 16 KiB pieces, each with the line's timestamp
    StringBuilder bar = new StringBuilder();
    for (int i = 0; bar.length() < 5 * LogsDecoder.PIECE_BYTES + 100; i++) bar.append('\r').append(i % 100).append('%');
    String text = bar.toString();
    LogsDecoder d = decoder(true, 1000);
    int fed = 0;
    int pieces = text.length() / LogsDecoder.PIECE_BYTES * LogsDecoder.PIECE_BYTES;
    for (int p = 0; p < pieces; p += LogsDecoder.PIECE_BYTES) {
      String piece = text.substring(p, Math.min(text.length(), p + LogsDecoder.PIECE_BYTES));
      byte[] m = (T1 + " " + piece).getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < m.length; i += 777) d.feed(m, i, Math.min(777, m.length - i));
      fed += piece.length();
      // what is not yet a line is at most one maximum line and one message: nothing piles up
      int held = fed - lines.stream().mapToInt(l -> l.length() - 2).sum();
      assertTrue(held <= 1000 + LogsDecoder.PIECE_BYTES, "held " + held);
    }
    assertEquals(T1_NANOS, d.heldTimeNanos((byte) 1));
    byte[] end = (T1 + " " + text.substring(pieces) + "done\r\n").getBytes(StandardCharsets.ISO_8859_1);
    d.feed(end, 0, end.length);
    assertEquals(Long.MAX_VALUE, d.heldTimeNanos((byte) 1));
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      joined.append(lines.get(i).substring(2));
      assertTrue(lines.get(i).length() - 2 <= 1000);
      assertEquals(i < lines.size() - 1 ? LineBatch.FLAG_PARTIAL : 0, flags.get(i));
      assertEquals(T1_NANOS, times.get(i));
    }
    assertEquals(text + "done", joined.toString(), "the pieces' timestamps are not part of the line");
  }

  @Test
  void ttyPiecesJoinIntoOneLineUpToTheMaximum() {
    String a = "a".repeat(LogsDecoder.PIECE_BYTES);
    byte[] all = (T1 + " " + a + T1 + " " + a + T1 + " tail\r\n" + T1 + " next\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    LogsDecoder d = decoder(true, 1 << 20);
    d.feed(all, 0, all.length);
    assertEquals(List.of("1:" + a + a + "tail", "1:next"), lines);
  }
}
