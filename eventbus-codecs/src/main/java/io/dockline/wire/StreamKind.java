package io.dockline.wire;

/** The container stream a line came from; the code is what the Docker multiplexed frame header carries. */
public enum StreamKind {
  STDOUT((byte) 1, "stdout"),
  STDERR((byte) 2, "stderr");

  private final byte code;
  private final String label;

  StreamKind(byte code, String label) {
    this.code = code;
    this.label = label;
  }

  public byte code() {
    return code;
  }

  public String label() {
    return label;
  }

  public static StreamKind ofCode(byte code) {
    switch (code) {
      case 1: return STDOUT;
      case 2: return STDERR;
      default: throw new IllegalArgumentException("unknown stream code " + code);
    }
  }

  /** @throws IllegalArgumentException for a name other than {@code stdout} or {@code stderr} */
  public static StreamKind parse(String label) {
    for (StreamKind k : values()) {
      if (k.label.equals(label)) return k;
    }
    throw new IllegalArgumentException("unknown stream '" + label + "' (stdout or stderr)");
  }
}
