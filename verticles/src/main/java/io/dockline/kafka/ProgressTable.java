package io.dockline.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Every container's committed {@link Progress}, read from the progress topic by a read_committed consumer.
 * Written and polled on the publisher's thread; {@link #committedSeq} may be read from any thread (retention
 * asks it what it may delete).
 */
final class ProgressTable implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProgressTable.class.getName());
  private final Consumer<byte[], byte[]> consumer;
  private final Admin admin;
  private final List<TopicPartition> partitions;
  private final Map<String, Progress> table = new ConcurrentHashMap<>();

  ProgressTable(Consumer<byte[], byte[]> consumer, Admin admin, List<TopicPartition> partitions) {
    this.consumer = consumer;
    this.admin = admin;
    this.partitions = partitions;
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads from the start again: what a publisher does after it was fenced (its own view may be stale). */
  void reload(Duration timeout) throws TimeoutException {
    consumer.seekToBeginning(partitions);
    Map<String, Progress> before = new HashMap<>(table);
    table.clear();
    try {
      catchUp(timeout);
    } catch (TimeoutException | RuntimeException e) {
      table.putAll(before); // the old view, rather than none, until a reload succeeds (the caller retries)
      throw e;
    }
  }

  /**
   * Reads every record written to the topic before this call once its transaction ended: after a producer was
   * fenced, its last transaction is then known committed or aborted. Waits while an older transaction of another
   * producer is open, up to {@code timeout}.
   */
  void catchUp(Duration timeout) throws TimeoutException {
    Map<TopicPartition, Long> end = logEnd(timeout);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean done = true;
      for (TopicPartition p : partitions) if (consumer.position(p) < end.get(p)) done = false;
      if (done) return;
      if (System.nanoTime() > deadline) throw new TimeoutException("the progress topic was not read to its end in " + timeout);
      poll(Duration.ofMillis(100));
    }
  }

  /** Takes in what other collectors committed since the last poll. */
  void poll(Duration wait) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
      if (r.key() == null) continue;
      String id = new String(r.key(), StandardCharsets.UTF_8);
      try {
        Progress p = Progress.fromBytes(r.value());
        if (p == null) table.remove(id);
        else table.put(id, p);
      } catch (RuntimeException e) {
        LOG.warning("progress record of " + id + " at offset " + r.offset() + " is not progress, skipped: " + e.getMessage());
      }
    }
  }

  private Map<TopicPartition, Long> logEnd(Duration timeout) throws TimeoutException {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    for (TopicPartition p : partitions) ask.put(p, OffsetSpec.latest());
    try {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> got = admin.listOffsets(ask,
          new org.apache.kafka.clients.admin.ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
          .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      Map<TopicPartition, Long> end = new HashMap<>();
      got.forEach((p, info) -> end.put(p, info.offset()));
      return end;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimeoutException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new org.apache.kafka.common.KafkaException("listing the progress topic's end failed", e.getCause());
    }
  }

  Progress get(String containerId) {
    return table.get(containerId);
  }

  /** The seq the container's lines are committed through (0: none, or not known yet). */
  long committedSeq(String containerId) {
    Progress p = table.get(containerId);
    return p == null ? 0 : p.seq();
  }

  /** This publisher committed it: known before the consumer reads it back. */
  void committed(String containerId, Progress p) {
    table.merge(containerId, p, (old, now) -> now.epoch() < old.epoch() ? old : now);
  }

  List<String> ownedBy(String collector) {
    List<String> out = new ArrayList<>();
    table.forEach((id, p) -> {
      if (collector.equals(p.owner())) out.add(id);
    });
    return out;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
