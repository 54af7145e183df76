package io.dockline.kafka;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * What Kafka holds of one container's stream, as committed in the progress topic (key: container id), in the
 * same transaction as the lines it counts.
 *
 * <p>JSON {@code {"v": 1, "seq", "owner", "epoch", "primary"}}. A reader takes the fields it knows from any
 * {@code v}: a later release may add fields, never change these.
 *
 * @param seq the stream's lines are published through this seq (0: none yet)
 * @param owner the collector that publishes the stream; only it may, until another one claims it
 * @param epoch raised by every claim: the stream's owner generation
 * @param primary the highest seq the owner had received as the stream's first replica when it wrote this; a
 *     collector that received a later seq as first replica takes the stream over (the stream moved to it)
 */
public record Progress(long seq, String owner, long epoch, long primary) {
  public static final int FORMAT = 1;

  public byte[] toBytes() {
    return new JsonObject().put("v", FORMAT).put("seq", seq).put("owner", owner).put("epoch", epoch)
        .put("primary", primary).encode().getBytes(StandardCharsets.UTF_8);
  }

  /** The progress a record holds; null for a tombstone or a value that is not progress (logged by the caller). */
  public static Progress fromBytes(byte[] value) {
    if (value == null) return null;
    JsonObject o = new JsonObject(new String(value, StandardCharsets.UTF_8));
    return new Progress(o.getLong("seq", 0L), o.getString("owner"), o.getLong("epoch", 0L), o.getLong("primary", 0L));
  }

  /** The same stream published further by its owner. */
  public Progress publishedThrough(long newSeq, long newPrimary) {
    return new Progress(newSeq, owner, epoch, Math.max(primary, newPrimary));
  }
}
