package io.dockline.collector.impl;

/** A segment file is named after its first seq, zero-padded so names sort like the seqs. */
final class SegmentNames {
  static final String SUFFIX = ".seg";
  private static final int DIGITS = 20;

  private SegmentNames() {}

  static String of(long firstSeq) {
    // not String.format: a segment is created rarely, so its code runs interpreted, where a format costs ~0.5 ms
    String digits = Long.toString(firstSeq);
    return "0".repeat(Math.max(0, DIGITS - digits.length())) + digits + SUFFIX;
  }

  /** The first seq a segment file name stands for, or -1 when the name is not a segment's. */
  static long firstSeqOf(String fileName) {
    if (fileName.length() != DIGITS + SUFFIX.length() || !fileName.endsWith(SUFFIX)) return -1;
    long seq = 0;
    for (int i = 0; i < DIGITS; i++) {
      char c = fileName.charAt(i);
      if (c < '0' || c > '9') return -1;
      if (seq > (Long.MAX_VALUE - (c - '0')) / 10) return -1;
      seq = seq * 10 + (c - '0');
    }
    return seq >= 1 ? seq : -1;
  }
}
