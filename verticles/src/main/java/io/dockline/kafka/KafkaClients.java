package io.dockline.kafka;

import io.dockline.config.NodeConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The settings of every Kafka client a collector makes, in one place: the operator's pass-through properties
 * ({@code kafka-properties}: security, tuning), then what the guarantees need, which the operator cannot
 * override (acknowledgement by every in-sync replica, idempotence, read_committed, byte serializers).
 */
final class KafkaClients {
  private KafkaClients() {}

  /** How long a blocking call (init, commit, metadata) waits for the brokers before it fails. */
  static final int BLOCK_MS = 15_000;
  /** One request's timeout for the admin and progress clients: below {@link #BLOCK_MS}, as Kafka requires. */
  private static final int REQUEST_MS = 10_000;

  static Map<String, Object> producer(NodeConfig config, String transactionalId) {
    Map<String, Object> p = common(config);
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, BLOCK_MS);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "dockline-" + config.nodeName() + (transactionalId == null ? "" : "-" + transactionalId));
    if (transactionalId == null) p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    else p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    return p;
  }

  /** A consumer of the progress topic: committed records only, no group, partitions assigned by the reader. */
  static Map<String, Object> progressConsumer(NodeConfig config) {
    Map<String, Object> p = common(config);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dockline-" + config.nodeName() + "-progress");
    p.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_MS);
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, BLOCK_MS);
    return p;
  }

  static Map<String, Object> admin(NodeConfig config) {
    Map<String, Object> p = common(config);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "dockline-" + config.nodeName() + "-admin");
    p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_MS);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, BLOCK_MS);
    return p;
  }

  /** The transactional id a collector publishes with: fencing it fences that collector's publishing. */
  static String publisherId(NodeConfig config, String collector) {
    return "dockline." + config.clusterName() + "." + config.kafkaTopic() + ".collector." + collector;
  }

  /** The transactional id claims of streams no collector owns yet go through: one per bucket of containers. */
  static String claimId(NodeConfig config, String containerId) {
    return "dockline." + config.clusterName() + "." + config.kafkaTopic() + ".claim."
        + Math.floorMod(containerId.hashCode(), CLAIM_BUCKETS);
  }

  static final int CLAIM_BUCKETS = 64;

  private static Map<String, Object> common(NodeConfig config) {
    Map<String, Object> p = new HashMap<>();
    Properties given = config.kafkaProperties();
    for (String name : given.stringPropertyNames()) p.put(name, given.getProperty(name));
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.kafkaBootstrap()));
    return p;
  }
}
