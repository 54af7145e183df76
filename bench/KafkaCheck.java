import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * bench/kafka.sh's check: reads TOPIC read_committed from OFFSET (every partition) and verifies that container
 * KEY's records are seqs 1..N exactly once, in order (header "seq"). Prints "ok N" or "FAIL: ..." (exit 1).
 * Usage: java -cp CLASSPATH bench/KafkaCheck.java BOOTSTRAP TOPIC KEY N OFFSET
 */
public class KafkaCheck {
  public static void main(String[] a) {
    String bootstrap = a[0], topic = a[1], key = a[2];
    long n = Long.parseLong(a[3]), from = Long.parseLong(a[4]);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap,
        "isolation.level", "read_committed", "enable.auto.commit", false,
        "key.deserializer", ByteArrayDeserializer.class, "value.deserializer", ByteArrayDeserializer.class))) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
      c.assign(parts);
      for (TopicPartition p : parts) c.seek(p, parts.size() == 1 ? from : 0);
      long next = 1;
      long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (next <= n && System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (!key.equals(new String(r.key(), StandardCharsets.UTF_8))) continue;
          long seq = Long.parseLong(new String(r.headers().lastHeader("seq").value(), StandardCharsets.US_ASCII));
          if (seq != next) fail("record at offset " + r.offset() + " has seq " + seq + ", expected " + next);
          next++;
        }
      }
      if (next <= n) fail("read " + (next - 1) + " of " + n + " records of " + key + " in 120 s");
      // nothing after the last: a duplicate would follow it
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(2))) {
        if (key.equals(new String(r.key(), StandardCharsets.UTF_8))) fail("a record after seq " + n + " at offset " + r.offset());
      }
      System.out.println("ok " + n);
    }
  }

  private static void fail(String why) {
    System.out.println("FAIL: " + why);
    System.exit(1);
  }
}
