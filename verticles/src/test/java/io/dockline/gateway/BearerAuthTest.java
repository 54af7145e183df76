package io.dockline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class BearerAuthTest {
  @Test
  void fullAndReadOnlyTokensAreTold() {
    BearerAuth auth = new BearerAuth(List.of("new-full", "old-full"), List.of("viewer"));
    assertEquals(BearerAuth.Access.FULL, auth.accessOf("new-full"));
    assertEquals(BearerAuth.Access.FULL, auth.accessOf("old-full"));
    assertEquals(BearerAuth.Access.READ, auth.accessOf("viewer"));
    assertNull(auth.accessOf("viewer2"));
    assertNull(auth.accessOf(""));
    assertNull(auth.accessOf(null));
  }
}
