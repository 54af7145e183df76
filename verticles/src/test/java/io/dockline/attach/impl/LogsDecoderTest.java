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
    Frames.frame(out, 1, T1 + " aaaa");      // a 16 KiB piece: no newline
    Frames.frame(out, 1, T1 + " bbbb\n");    // the rest of the line
    Frames.frame(out, 1, T1 + " no newline at the end");
    byte[] all = out.toByteArray();
    LogsDecoder d = decoder(false, 1 << 20);
    for (int i = 0; i < all.length; i += 3) d.feed(all, i, Math.min(3, all.length - i)); // cut anywhere
    d.finish();
    assertEquals(List.of("1:hello", "2:err", "1:aaaabbbb", "1:no newline at the end"), lines);
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
}
