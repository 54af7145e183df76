package io.dockline.collector.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Segment names are the first seq in twenty digits, so they sort as the seqs do, and read back. */
class SegmentNamesTest {
  @Test
  void namesArePaddedToTwentyDigitsAndReadBack() {
    assertEquals("00000000000000000001.seg", SegmentNames.of(1));
    assertEquals("00000000000001000001.seg", SegmentNames.of(1_000_001));
    assertEquals("09223372036854775807.seg", SegmentNames.of(Long.MAX_VALUE));
    for (long seq : new long[] {1, 9, 10, 123_456_789, Long.MAX_VALUE}) {
      assertEquals(seq, SegmentNames.firstSeqOf(SegmentNames.of(seq)));
    }
    assertEquals(-1, SegmentNames.firstSeqOf("1.seg"));
  }
}
