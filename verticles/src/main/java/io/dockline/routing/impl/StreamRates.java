package io.dockline.routing.impl;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What a router forwarded per stream, as smoothed rates. Rates are quantized to steps of about 19 % before
 * they are published, so every small wobble of a stream's output does not move streams around the ring.
 * Event-loop confined.
 */
public final class StreamRates {
  /** A stream silent this long is forgotten (its collector is then chosen by the ring alone). */
  private static final long FORGET_AFTER_MS = 10 * 60_000;
  private static final double SMOOTHING = 0.5;

  private static final class Rate {
    long bytes;
    long lines;
    double bytesPerSecond = -1;
    double linesPerSecond;
    long lastSeenMs;
  }

  private final Map<String, Rate> rates = new HashMap<>();
  private long lastTickMs = System.currentTimeMillis();

  public void record(String stream, int lines, long bytes) {
    Rate r = rates.computeIfAbsent(stream, k -> new Rate());
    r.lines += lines;
    r.bytes += bytes;
    r.lastSeenMs = System.currentTimeMillis();
  }

  /** Folds what was counted since the last tick into the smoothed rates and forgets long-silent streams. */
  public void tick() {
    long now = System.currentTimeMillis();
    double seconds = Math.max(0.001, (now - lastTickMs) / 1000.0);
    lastTickMs = now;
    for (Iterator<Rate> it = rates.values().iterator(); it.hasNext(); ) {
      Rate r = it.next();
      if (now - r.lastSeenMs > FORGET_AFTER_MS) {
        it.remove();
        continue;
      }
      double bps = r.bytes / seconds;
      double lps = r.lines / seconds;
      if (r.bytesPerSecond < 0) {
        r.bytesPerSecond = bps;
        r.linesPerSecond = lps;
      } else {
        r.bytesPerSecond += SMOOTHING * (bps - r.bytesPerSecond);
        r.linesPerSecond += SMOOTHING * (lps - r.linesPerSecond);
      }
      r.bytes = 0;
      r.lines = 0;
    }
  }

  public boolean isEmpty() { return rates.isEmpty(); }

  public java.util.Set<String> streams() { return rates.keySet(); }

  /** JSON-ready: stream id to [bytes per second (quantized), lines per second]. */
  public Map<String, double[]> snapshot() {
    Map<String, double[]> out = new HashMap<>();
    rates.forEach((id, r) -> out.put(id, new double[] {quantize(Math.max(0, r.bytesPerSecond)),
        Math.max(0, r.linesPerSecond)}));
    return out;
  }

  /** Rounds to the nearest power of 2^(1/4); 0 stays 0. */
  public static double quantize(double x) {
    if (x < 1) return 0;
    return Math.pow(2, Math.round(4 * Math.log(x) / Math.log(2)) / 4.0);
  }
}
