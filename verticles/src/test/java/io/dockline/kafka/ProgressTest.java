package io.dockline.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void roundTripsWithItsFormatVersion() {
    Progress p = new Progress(41_000, "c2", 3, 41_500);
    String json = new String(p.toBytes(), StandardCharsets.UTF_8);
    assertEquals("{\"v\":1,\"seq\":41000,\"owner\":\"c2\",\"epoch\":3,\"primary\":41500}", json);
    assertEquals(p, Progress.fromBytes(p.toBytes()));
  }

  @Test
  void aLaterFormatIsReadForTheFieldsThisOneKnows() {
    byte[] later = "{\"v\":2,\"seq\":7,\"owner\":\"c1\",\"epoch\":1,\"primary\":9,\"owners\":[\"c1\"]}"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(new Progress(7, "c1", 1, 9), Progress.fromBytes(later));
    assertNull(Progress.fromBytes(null), "a tombstone");
  }

  @Test
  void publishingFurtherKeepsOwnerAndEpochAndNeverLowersPrimary() {
    Progress p = new Progress(10, "c1", 2, 50);
    assertEquals(new Progress(20, "c1", 2, 50), p.publishedThrough(20, 40));
    assertEquals(new Progress(20, "c1", 2, 60), p.publishedThrough(20, 60));
  }
}
