package io.dockline.attach.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockline.attach.gate.GateRequest.Action;
import org.junit.jupiter.api.Test;

class GateRequestTest {
  @Test
  void startsAreHeldWhateverNamesTheContainer() {
    assertEquals(new GateRequest(Action.START, "0123456789abcdef", 0),
        GateRequest.of("POST", "/v1.41/containers/0123456789abcdef/start").orElseThrow());
    assertEquals(new GateRequest(Action.START, "web-1", 0), GateRequest.of("POST", "/containers/web-1/start").orElseThrow());
    assertEquals(new GateRequest(Action.START, "0123abcd", 0),
        GateRequest.of("POST", "/v1.24/containers/0123abcd/start?detachKeys=ctrl-p").orElseThrow());
    assertEquals("my app", GateRequest.of("POST", "/v1.41/containers/my%20app/start").orElseThrow().containerRef());
  }

  @Test
  void restartsCarryTheirStopTimeout() {
    assertEquals(new GateRequest(Action.RESTART, "web", 3), GateRequest.of("POST", "/v1.41/containers/web/restart?t=3").orElseThrow());
    assertEquals(10, GateRequest.of("POST", "/containers/web/restart").orElseThrow().stopSeconds());
    assertEquals(10, GateRequest.of("POST", "/containers/web/restart?t=-1").orElseThrow().stopSeconds());
    assertEquals(10, GateRequest.of("POST", "/containers/web/restart?t=x").orElseThrow().stopSeconds());
    assertEquals(600, GateRequest.of("POST", "/containers/web/restart?t=99999").orElseThrow().stopSeconds());
  }

  @Test
  void everythingElseGoesThroughAtOnce() {
    assertTrue(GateRequest.of("GET", "/v1.41/containers/web/start").isEmpty());
    assertTrue(GateRequest.of("POST", "/v1.41/containers/web/stop").isEmpty());
    assertTrue(GateRequest.of("POST", "/v1.41/containers/web/attach?stream=1").isEmpty());
    assertTrue(GateRequest.of("POST", "/v1.41/containers/create?name=start").isEmpty());
    assertTrue(GateRequest.of("POST", "/v1.41/exec/abc/start").isEmpty());
    assertTrue(GateRequest.of("POST", "/v1.41/containers//start").isEmpty());
    assertTrue(GateRequest.of("POST", "not a uri \\ at all").isEmpty());
    assertTrue(GateRequest.of(null, null).isEmpty());
  }
}
