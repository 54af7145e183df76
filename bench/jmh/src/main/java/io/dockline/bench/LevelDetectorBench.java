package io.dockline.bench;

import io.dockline.attach.LevelDetector;
import io.dockline.wire.LogLevel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** The agent's level detection, once per line read: ns per line by kind of line. */
public class LevelDetectorBench extends Settings {
  @Param({"bench", "plain", "timestamped", "logfmt", "json"})
  public String kind;
  private byte[] line;

  @Setup
  public void setUp() {
    line = Lines.of(kind);
  }

  @Benchmark
  public LogLevel detect() {
    return LevelDetector.detect(line, 0, line.length);
  }
}
