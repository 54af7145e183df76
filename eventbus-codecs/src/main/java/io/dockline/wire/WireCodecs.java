package io.dockline.wire;

import io.vertx.core.eventbus.EventBus;

/** The launcher registers the wire codecs once per Vert.x instance; verticles never do. */
public final class WireCodecs {
  private WireCodecs() {}

  public static void registerAll(EventBus bus) {
    bus.registerDefaultCodec(LineBatch.class, new LineBatchCodec());
    bus.registerDefaultCodec(BatchAck.class, new BatchAckCodec());
    bus.registerDefaultCodec(LineMatches.class, new LineMatchesCodec());
    bus.registerDefaultCodec(SearchPage.class, new SearchPageCodec());
  }
}
