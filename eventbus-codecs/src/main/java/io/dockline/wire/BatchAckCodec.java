package io.dockline.wire;

import io.vertx.core.buffer.Buffer;

/** Binary wire form of a {@link BatchAck}. */
public final class BatchAckCodec extends ImmutableCodec<BatchAck> {
  public static final String NAME = "dockline.batch-ack";

  public BatchAckCodec() {
    super(NAME);
  }

  @Override
  public void encodeToWire(Buffer buf, BatchAck a) {
    LineBatchCodec.putString(buf, a.containerId());
    buf.appendLong(a.storedSeq());
    buf.appendInt(a.written());
    buf.appendInt(a.duplicates());
    LineBatchCodec.putString(buf, a.collector());
  }

  @Override
  public BatchAck decodeFromWire(int pos, Buffer buf) {
    int[] cursor = {pos};
    String id = LineBatchCodec.getString(buf, cursor);
    int p = cursor[0];
    long stored = buf.getLong(p);
    int written = buf.getInt(p + 8);
    int dups = buf.getInt(p + 12);
    cursor[0] = p + 16;
    return new BatchAck(id, stored, written, dups, LineBatchCodec.getString(buf, cursor));
  }
}
