package io.dockline.routing.impl;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What a router forwarded per stream, as smoothed rates. Rates are quantized to steps of about 19 % before
 * they are published, so every small wobble of a stream's output does not move streams around the ring; and
 * a published step stays until the rate is clearly outside it (about 14 % past its centre), so a rate that
 * hovers at the border between two steps does not flip between them, moving its stream back and forth.
 * Event-loop confined.
 */
public final class StreamRates {
  /** A stream silent this long is forgotten (its collector is then chosen by the ring alone). */
  private static final long FORGET_AFTER_MS = 10 * 60_000;
  private static final double SMOOTHING = 0.5;
  /** How far (as a factor) the rate may stray from the published step before a new step is published. */
  private static final double STICKY_FACTOR = Math.pow(2, 3 / 16.0);

  private static final class Rate {
    long bytes;
    long lines;
    double bytesPerSecond = -1;
    double linesPerSecond;
    long lastSeenMs;
    double published = -1;
  }

  private final Map<String, Rate> rates = new HashMap<>();
  private final LongSupplier clock;
  private long lastTickMs;

  public StreamRates() {
    this(System::currentTimeMillis);
  }

  /** With a clock in milliseconds (tests). */
  public StreamRates(LongSupplier clock) {
    this.clock = clock;
    this.lastTickMs = clock.getAsLong();
  }

  public void record(String stream, int lines, long bytes) {
    Rate r = rates.computeIfAbsent(stream, k -> new Rate());
    r.lines += lines;
    r.bytes += bytes;
    r.lastSeenMs = clock.getAsLong();
  }

  /** Folds what was counted since the last tick into the smoothed rates and forgets long-silent streams. */
  public void tick() {
    long now = clock.getAsLong();
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
    rates.forEach((id, r) -> out.put(id, new double[] {publishedStep(r), Math.max(0, r.linesPerSecond)}));
    return out;
  }

  private static double publishedStep(Rate r) {
    double bps = Math.max(0, r.bytesPerSecond);
    boolean stays = r.published > 0 ? bps >= r.published / STICKY_FACTOR && bps <= r.published * STICKY_FACTOR
        : r.published == 0 && quantize(bps) == 0;
    if (!stays) r.published = quantize(bps);
    return r.published;
  }

  /** Rounds to the nearest power of 2^(1/4); 0 stays 0. */
  public static double quantize(double x) {
    if (x < 1) return 0;
    return Math.pow(2, Math.round(4 * Math.log(x) / Math.log(2)) / 4.0);
  }
}
