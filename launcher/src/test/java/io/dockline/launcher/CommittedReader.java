package io.dockline.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic from its beginning, as a downstream consumer of dockline's hand-off would: every partition
 * assigned (no group, nothing committed), records in partition order.
 */
final class CommittedReader {
  private CommittedReader() {}

  /**
   * The topic's records that committed transactions hold (isolation.level=read_committed), read until
   * {@code until} holds for what was read AND every partition was read to its end as of that moment (so a
   * surplus already committed is in the answer too), or until {@code timeout}: then whatever was read.
   */
  static List<ConsumerRecord<String, String>> readCommitted(String bootstrap, String topic,
      Predicate<List<ConsumerRecord<String, String>>> until, Duration timeout) {
    return read(bootstrap, topic, IsolationLevel.READ_COMMITTED, until, timeout);
  }

  /** Every record in the log, aborted and open transactions' too (isolation.level=read_uncommitted). */
  static List<ConsumerRecord<String, String>> readUncommitted(String bootstrap, String topic,
      Predicate<List<ConsumerRecord<String, String>>> until, Duration timeout) {
    return read(bootstrap, topic, IsolationLevel.READ_UNCOMMITTED, until, timeout);
  }

  private static List<ConsumerRecord<String, String>> read(String bootstrap, String topic, IsolationLevel isolation,
      Predicate<List<ConsumerRecord<String, String>>> until, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.<String, Object>of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, remaining(end)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (System.nanoTime() < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        if (until.test(out) && readToEnd(consumer, partitions, end)) return out;
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      // the deadline passed inside a client call: the caller judges what was read
    }
    return out;
  }

  /** Whether the consumer's position is at each partition's end (for read_committed: its last stable offset). */
  private static boolean readToEnd(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions, long end) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, remaining(end));
    for (TopicPartition p : partitions) {
      if (consumer.position(p, remaining(end)) < ends.get(p)) return false;
    }
    return true;
  }

  private static Duration remaining(long end) {
    return Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime()));
  }
}
