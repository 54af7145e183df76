package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka harness itself, with the guarantee dockline's hand-off relies on: a transactional producer's
 * committed records are read (read_committed) exactly once, in order per key; an aborted transaction's are
 * not; and a transaction left open by a broker killed with SIGKILL is aborted when a new producer with the
 * same transactional.id initialises after the restart.
 *
 * <p>Lines are numbered 0.. and spread over {@value #KEYS} keys (streams): line n is key n % KEYS, seq
 * n / KEYS + 1. Like dockline, the producer sends again, in its next transaction, the lines of a transaction
 * that did not commit. 10,000 records in six transactions: lines 0-1999 commit; 2000-2999 abort; 2000-3999
 * commit; 4000-4999 are flushed and the broker is killed with the transaction open; after the restart a new
 * producer sends 4000-5999 and 6000-7999, each committed. Read back: lines 0-7999 once each.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaBrokerIT {
  private static final int KEYS = 8;
  private static final String TOPIC = "lines";
  private static final int PARTITIONS = 3;

  private Path work;
  private KafkaBroker broker;
  /** A failed test leaves its broker's data and log for a look. */
  private boolean passed;

  @AfterEach
  void stopBroker() throws Exception {
    if (broker != null) broker.close();
    if (work != null && passed) deleteTree(work);
  }

  @Test
  void committedLinesAreReadOnceInOrderAcrossAnAbortAndABrokerKilledMidTransaction() throws Exception {
    work = Files.createTempDirectory("dockline-kafka-it");
    long t0 = System.nanoTime();
    broker = KafkaBroker.start(work.resolve("broker"));
    long startMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("KafkaBrokerIT: broker started (format and launch) in " + startMs + " ms");
    try {
      broker.createTopic(TOPIC, PARTITIONS);
      String txId = "kafka-it-" + ProcessHandle.current().pid();
      int produced = 0;

      KafkaProducer<String, String> first = producer(txId);
      try {
        first.initTransactions();
        produced += transaction(first, 0, 2000, "t1", true);
        produced += transaction(first, 2000, 3000, "t2", false);
        produced += transaction(first, 2000, 4000, "t3", true);
        first.beginTransaction();
        produced += send(first, 4000, 5000, "t4");
        first.flush(); // acknowledged: in the log, inside a transaction that stays open
        broker.kill9();
      } finally {
        first.close(Duration.ZERO); // gone with its transaction open, as a crashed collector
      }
      long t1 = System.nanoTime();
      broker.restart();
      System.out.println("KafkaBrokerIT: broker restarted after kill -9 in " + (System.nanoTime() - t1) / 1_000_000 + " ms");

      try (KafkaProducer<String, String> second = producer(txId)) {
        second.initTransactions(); // aborts t4, left open by the killed broker
        produced += transaction(second, 4000, 6000, "t5", true);
        produced += transaction(second, 6000, 8000, "t6", true);
      }
      assertEquals(10_000, produced, "records sent");
      int sent = produced;

      List<ConsumerRecord<String, String>> log = CommittedReader.readUncommitted(broker.bootstrap(), TOPIC,
          r -> r.size() >= sent, Duration.ofSeconds(60));
      assertEquals(sent, log.size(), "the log holds every record sent, aborted and open ones too");

      List<ConsumerRecord<String, String>> read = CommittedReader.readCommitted(broker.bootstrap(), TOPIC,
          r -> r.size() >= 8000, Duration.ofSeconds(60));
      Map<String, List<Long>> seqsByKey = new HashMap<>();
      for (ConsumerRecord<String, String> r : read) {
        String label = r.value().substring(r.value().indexOf(' ') + 1);
        assertTrue(!label.equals("t2") && !label.equals("t4"), "no record of an aborted transaction: " + r);
        seqsByKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Long.parseLong(r.value().split(" ")[0]));
      }
      assertEquals(KEYS, seqsByKey.size(), "every key");
      for (Map.Entry<String, List<Long>> e : seqsByKey.entrySet()) {
        List<Long> seqs = e.getValue();
        for (int i = 0; i < seqs.size(); i++) {
          assertEquals(i + 1, seqs.get(i), e.getKey() + ": seqs 1.. once each, in order (" + seqs.size() + " read)");
        }
        assertEquals(8000 / KEYS, seqs.size(), e.getKey() + ": every committed seq");
      }
      assertEquals(8000, read.size(), "lines 0-7999 once each, nothing else");
      passed = true;
    } catch (Throwable e) {
      System.err.println("KafkaBrokerIT failed; the broker's data and log are in " + work + ", its log ends:\n"
          + broker.logTail(80));
      throw e;
    }
  }

  /** A transaction of lines {@code from} until {@code to}, committed or aborted; the number of records sent. */
  private static int transaction(KafkaProducer<String, String> producer, int from, int to, String label, boolean commit) {
    producer.beginTransaction();
    int sent = send(producer, from, to, label);
    if (commit) {
      producer.commitTransaction();
    } else {
      producer.flush(); // in the log before the abort marker, so the reader has something to skip
      producer.abortTransaction();
    }
    return sent;
  }

  /** Sends lines {@code from} until {@code to}: key {@code stream-(n % KEYS)}, value {@code "SEQ LABEL"}. */
  private static int send(KafkaProducer<String, String> producer, int from, int to, String label) {
    for (int n = from; n < to; n++) {
      producer.send(new ProducerRecord<>(TOPIC, "stream-" + n % KEYS, (n / KEYS + 1) + " " + label));
    }
    return to - from;
  }

  private KafkaProducer<String, String> producer(String transactionalId) {
    return new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
  }

  private static void deleteTree(Path root) throws Exception {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
    }
  }
}
