package io.dockline.bench;

import java.nio.charset.StandardCharsets;

/** Sample lines of the kinds containers write, as bytes. */
final class Lines {
  private Lines() {}

  /** What bench/cpu.sh and bench/e2e.sh write: 139 bytes of text, no level. */
  static final String BENCH = "dockline-bench " + "0".repeat(124);

  static byte[] of(String kind) {
    String s = switch (kind) {
      case "bench" -> BENCH;
      case "plain" -> "GET /api/v1/orders/12345 200 0.004s user=alice agent=Mozilla/5.0 (X11; Linux x86_64) cache hit";
      case "timestamped" -> "2026-11-30T16:21:07.123Z INFO  [main] o.e.shop.OrderService - order 12345 accepted for alice";
      case "logfmt" -> "ts=2026-11-30T16:21:07.123Z caller=main.go:42 msg=\"order accepted\" level=warn id=12345";
      case "json" -> "{\"time\":\"2026-11-30T16:21:07.123Z\",\"msg\":\"order accepted\",\"id\":12345,\"level\":\"error\"}";
      default -> throw new IllegalArgumentException(kind);
    };
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
