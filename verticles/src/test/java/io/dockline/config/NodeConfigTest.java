package io.dockline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  @Test
  void defaultsAreAnAllInOneNodeOnLoopback() {
    NodeConfig c = NodeConfig.resolve();
    assertEquals(EnumSet.complementOf(EnumSet.of(NodeConfig.Role.NETWORK)), c.roles(), "network is opt-in");
    assertEquals("127.0.0.1", c.httpHost());
    assertEquals(8080, c.httpPort());
    assertEquals("127.0.0.1", c.clusterHost());
    assertEquals(1 << 20, c.maxLineBytes());
    assertTrue(c.join().isEmpty());
    assertFalse(c.isSet(NodeConfig.Setting.HTTP_PORT));
  }

  @Test
  void networksAreAJsonArrayOfObjectsInTheConfFile() {
    JsonObject lan = new JsonObject().put("name", "lan").put("parent", "eth0").put("subnet", "10.252.0.0/24");
    Map<String, String> conf = NodeConfig.layerOf(new JsonObject().put("roles", "network")
        .put("networks", new io.vertx.core.json.JsonArray().add(lan)).put("network-lease-ttl", 10));
    NodeConfig c = NodeConfig.resolve(conf);
    assertEquals(List.of(lan), c.networks());
    assertEquals(10_000, c.networkLeaseTtlMs());
    assertEquals(30_000, c.networkLeaseGraceMs());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.resolve(Map.of("networks", "{\"name\": \"lan\"}")));
    assertTrue(e.getMessage().startsWith("invalid --networks"), e.getMessage());
  }

  @Test
  void commandLineBeatsEnvironmentBeatsConfFile() {
    Map<String, String> conf = NodeConfig.layerOf(new JsonObject()
        .put("http-port", 9001).put("roles", new io.vertx.core.json.JsonArray().add("collector").add("gateway"))
        .put("node-name", "from-conf"));
    Map<String, String> env = NodeConfig.layerOfEnv(Map.of("DOCKLINE_HTTP_PORT", "9002", "DOCKLINE_JOIN", "a:1,b:2"));
    Map<String, String> cli = Map.of("http-port", "9003");
    NodeConfig c = NodeConfig.resolve(conf, env, cli);
    assertEquals(9003, c.httpPort());
    assertEquals("from-conf", c.nodeName());
    assertEquals(EnumSet.of(NodeConfig.Role.COLLECTOR, NodeConfig.Role.GATEWAY), c.roles());
    assertEquals(List.of("a:1", "b:2"), c.join());
    assertTrue(c.isSet(NodeConfig.Setting.HTTP_PORT));
  }

  @Test
  void replicationDefaultsToTwoCopiesAndOneInSyncReplica() {
    NodeConfig c = NodeConfig.resolve();
    assertEquals(2, c.replicationFactor());
    assertEquals(1, c.minInsyncReplicas());
    NodeConfig env = NodeConfig.resolve(Map.of(), NodeConfig.layerOfEnv(Map.of("DOCKLINE_REPLICATION_FACTOR", "3",
        "DOCKLINE_MIN_INSYNC_REPLICAS", "2")), Map.of());
    assertEquals(3, env.replicationFactor());
    assertEquals(2, env.minInsyncReplicas());
    assertEquals("invalid --min-insync-replicas '3': expected a number from 1 to 2", assertThrows(
        IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("min-insync-replicas", "3"))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("replication-factor", "0")));
  }

  @Test
  void kafkaSettingsAreCheckedAndThePropertiesFileIsPassedThrough() throws Exception {
    NodeConfig off = NodeConfig.resolve(Map.of());
    assertTrue(off.kafkaBootstrap().isEmpty(), "publishing is off by default");
    assertTrue(off.kafkaExactlyOnce());
    assertEquals("dockline.lines", off.kafkaTopic());
    java.nio.file.Path props = java.nio.file.Files.createTempFile("kafka", ".properties");
    java.nio.file.Files.writeString(props, "security.protocol=SSL\nlinger.ms=20\n");
    NodeConfig on = NodeConfig.resolve(Map.of("kafka-bootstrap", "b1:9092,b2:9093", "kafka-properties", props.toString(),
        "kafka-exactly-once", "false", "kafka-topic", "logs.v1"));
    assertEquals(List.of("b1:9092", "b2:9093"), on.kafkaBootstrap());
    assertEquals("SSL", on.kafkaProperties().getProperty("security.protocol"));
    assertFalse(on.kafkaExactlyOnce());
    assertEquals("invalid --kafka-bootstrap 'b1': expected host:port", assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.resolve(Map.of("kafka-bootstrap", "b1"))).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("kafka-topic", "a b")))
        .getMessage().startsWith("invalid --kafka-topic"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("kafka-properties",
        "/nonexistent/kafka.properties"))).getMessage().startsWith("invalid --kafka-properties"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("kafka-exactly-once", "yes")))
        .getMessage().startsWith("invalid --kafka-exactly-once"));
    java.nio.file.Files.delete(props);
  }

  @Test
  void badValuesGiveOneClearLine() {
    assertEquals("invalid --http-port 'eighty': expected a whole number",
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("http-port", "eighty"))).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.resolve(Map.of("roles", "agent,juggler"))).getMessage().contains("juggler"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.resolve(Map.of("join", "nohost"))).getMessage().contains("host:port"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.resolve(Map.of("docker-host", "http://x"))).getMessage().contains("docker-host"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.resolve(Map.of("colour", "blue"))).getMessage().contains("colour"));
    assertEquals("invalid --background-priority 'high': expected idle, normal or a nice value 0 to 19",
        assertThrows(IllegalArgumentException.class,
            () -> NodeConfig.resolve(Map.of("background-priority", "high"))).getMessage());
    assertEquals("10", NodeConfig.resolve().backgroundPriority().toString());
    assertTrue(NodeConfig.resolve(Map.of("background-priority", "idle")).backgroundPriority().isIdle());
    assertEquals("invalid --event-loops '0': expected a number from 1 to 1024",
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("event-loops", "0"))).getMessage());
    assertEquals(1, NodeConfig.resolve().eventLoops());
    assertEquals(4, NodeConfig.resolve(Map.of("event-loops", "4")).eventLoops());
  }

  @Test
  void theBridgeAndTokenSettingsAreListsAndTheTokenIsNeverPrinted() {
    NodeConfig open = NodeConfig.resolve();
    assertTrue(open.authTokens().isEmpty());
    assertFalse(open.tokenRequired());
    assertTrue(open.bridgeInbound().contains("dockline.api.logs"));
    assertEquals(List.of("dockline.tail.*"), open.bridgeOutbound());
    assertTrue(open.bridgeOrigins().isEmpty());
    NodeConfig guarded = NodeConfig.resolve(NodeConfig.layerOfEnv(Map.of("DOCKLINE_AUTH_TOKEN", "s3cret")),
        Map.of("bridge-inbound", "a, b.*", "bridge-origins", "https://app.example"));
    assertEquals(List.of("s3cret"), guarded.authTokens());
    assertTrue(guarded.tokenRequired());
    assertEquals(List.of("a", "b.*"), guarded.bridgeInbound());
    assertEquals(List.of("https://app.example"), guarded.bridgeOrigins());
    assertFalse(guarded.toJson().encode().contains("s3cret"));
  }

  @Test
  void addressesThatChangeLeasesAreOnTheBridgeOnlyWithATokenAndWhenListed() {
    NodeConfig open = NodeConfig.resolve();
    for (String change : List.of("dockline.network.allocate", "dockline.network.release")) {
      assertFalse(NodeConfig.listed(open.bridgeInbound(), change), change + " is not on the bridge by default");
    }
    assertTrue(NodeConfig.listed(open.bridgeInbound(), "dockline.network.leases"));
    for (String list : List.of("dockline.network.allocate", "dockline.network.*", "dockline.*", "*")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> NodeConfig.resolve(Map.of("bridge-inbound", list)));
      assertTrue(e.getMessage().startsWith("invalid --bridge-inbound '" + list + "': lets anyone reach dockline.network."),
          e.getMessage());
    }
    NodeConfig guarded = NodeConfig.resolve(Map.of("auth-token", "s3cret", "bridge-inbound", "dockline.network.*"));
    assertTrue(NodeConfig.listed(guarded.bridgeInbound(), "dockline.network.allocate"));
    assertFalse(NodeConfig.listed(NodeConfig.resolve(Map.of("auth-token", "s3cret")).bridgeInbound(),
        "dockline.network.release"), "a token alone does not list them");
  }

  @Test
  void aNetworkQuorumNeedsAGraceLongEnoughThatACutOffMemberLeavesFirst() {
    assertEquals(1, NodeConfig.resolve().networkQuorum());
    assertEquals(2, NodeConfig.resolve(Map.of("network-quorum", "2")).networkQuorum(), "the default TTL and grace fit");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(
        Map.of("network-quorum", "2", "network-lease-ttl", "4", "network-lease-grace", "3")));
    assertEquals("invalid --network-lease-grace '3': with --network-quorum it must be at least TTL/3 + 5 s (7 s), so a"
        + " member cut off has taken its containers off before the others free their addresses", e.getMessage());
    NodeConfig.resolve(Map.of("network-quorum", "2", "network-lease-ttl", "4", "network-lease-grace", "7"));
    NodeConfig.resolve(Map.of("network-lease-ttl", "4", "network-lease-grace", "3"));
    assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("network-quorum", "0")));
  }

  @Test
  void collectorsHoldTheClusterDataUnlessTheOperatorSaysOtherwise() {
    assertTrue(NodeConfig.resolve().dataMember(), "the default roles include a collector");
    assertTrue(NodeConfig.resolve(Map.of("roles", "collector")).dataMember());
    assertFalse(NodeConfig.resolve(Map.of("roles", "agent,router,gateway")).dataMember());
    assertFalse(NodeConfig.resolve(Map.of("roles", "network,gateway")).dataMember());
    assertTrue(NodeConfig.resolve(Map.of("roles", "network", "data-member", "true")).dataMember());
    assertFalse(NodeConfig.resolve(Map.of("roles", "collector", "data-member", "false")).dataMember());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.resolve(Map.of("data-member", "yes")));
    assertEquals("invalid --data-member 'yes': expected true, false or auto", e.getMessage());
  }

  @Test
  void tokensAreListsForRotationAndReadOnlyTokensAreTheirOwnSetting() {
    NodeConfig c = NodeConfig.resolve(Map.of("auth-token", "new-one, old-one", "read-token", "viewer"));
    assertEquals(List.of("new-one", "old-one"), c.authTokens());
    assertEquals(List.of("viewer"), c.readTokens());
    assertFalse(c.toJson().encode().contains("viewer"));
    assertTrue(NodeConfig.resolve(Map.of("read-token", "viewer")).tokenRequired());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.resolve(Map.of("auth-token", "same", "read-token", "same")));
    assertFalse(both.getMessage().contains("same"), both.getMessage());
    assertEquals(256, NodeConfig.resolve().maxTails());
    assertEquals(16, NodeConfig.resolve().maxTailsPerSocket());
    assertEquals("invalid --max-tails '0': expected a number from 1 to 1000000",
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("max-tails", "0"))).getMessage());
  }

  @Test
  void storageSettingsTakeSizesDurationsAndPercentagesWithClearErrors() {
    NodeConfig d = NodeConfig.resolve();
    assertEquals(java.time.Duration.ofDays(7), d.retentionAge());
    assertEquals(1L << 30, d.retentionContainerBytes());
    assertEquals(Long.MAX_VALUE, d.retentionDiskBytes());
    assertEquals(5_000_000_000L, d.minFreeDisk().of(100_000_000_000L));
    assertEquals(java.time.Duration.ofHours(1), d.segmentSealAfter());
    assertTrue(d.compression());
    NodeConfig c = NodeConfig.resolve(Map.of("retention-age", "90s", "retention-container-bytes", "512 MiB",
        "retention-disk-bytes", "2GB", "min-free-disk", "5GiB", "segment-seal-after", "10m", "compression", "none"));
    assertEquals(java.time.Duration.ofSeconds(90), c.retentionAge());
    assertEquals(512L << 20, c.retentionContainerBytes());
    assertEquals(2_000_000_000L, c.retentionDiskBytes());
    assertEquals(5L << 30, c.minFreeDisk().of(1L << 40));
    assertEquals(java.time.Duration.ofMinutes(10), c.segmentSealAfter());
    assertFalse(c.compression());
    assertNull(NodeConfig.resolve(Map.of("retention-age", "none")).retentionAge());
    assertEquals("invalid --retention-age '7 days': expected a duration such as 90s, 15m, 1h or 7d, or none",
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("retention-age", "7 days"))).getMessage());
    assertEquals("invalid --retention-container-bytes '1 GiG': expected a size such as 4096, 512MiB or 1GiB, or none",
        assertThrows(IllegalArgumentException.class,
            () -> NodeConfig.resolve(Map.of("retention-container-bytes", "1 GiG"))).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("min-free-disk", "150%")))
        .getMessage().startsWith("invalid --min-free-disk '150%': expected a percentage"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("segment-seal-after", "none")))
        .getMessage().startsWith("invalid --segment-seal-after"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(Map.of("compression", "gzip")))
        .getMessage().contains("expected zstd or none"));
  }
}
