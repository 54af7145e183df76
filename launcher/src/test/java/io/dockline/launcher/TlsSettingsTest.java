package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The TLS settings' files are read when the command line is: a bad one is one line naming the setting. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsSettingsTest {
  private Path dir;
  private TestPki pki;
  private TestPki.Pair member;
  private TestPki.Pair other;

  @BeforeAll
  void certificates() throws Exception {
    dir = Files.createTempDirectory("dockline-tls-settings");
    pki = TestPki.ca(dir, "ca");
    member = pki.issue("member");
    other = pki.issue("other");
  }

  private static String refused(String... args) {
    return assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse(args, Map.of())).getMessage();
  }

  @Test
  void goodFilesAreTakenAndTheEventBusRequiresCertificates() throws Exception {
    CommandLine cli = CommandLine.parse(new String[] {"--cluster-tls-key", member.key().toString(),
        "--cluster-tls-cert", member.cert().toString(), "--cluster-tls-ca", pki.caPem.toString(),
        "--http-tls-key", other.key().toString(), "--http-tls-cert", other.cert().toString()}, Map.of());
    EventBusOptions eventBus = new EventBusOptions();
    cli.config.clusterTls().orElseThrow().requireMutualAuth(eventBus);
    assertTrue(eventBus.isSsl());
    assertEquals(ClientAuth.REQUIRED, eventBus.getClientAuth());
    assertFalse(eventBus.isTrustAll(), "a member verifies the certificate of the member it connects to");
    assertTrue(cli.config.httpTls().orElseThrow().httpServerOptions().isSsl());
    assertTrue(CommandLine.parse(new String[0], Map.of()).config.clusterTls().isEmpty(), "plain TCP by default");
  }

  @Test
  void aGroupIsSetWholeOrNotAtAll() {
    assertEquals("invalid --cluster-tls-ca '': set together with --cluster-tls-key and --cluster-tls-cert",
        refused("--cluster-tls-key", member.key().toString(), "--cluster-tls-cert", member.cert().toString()));
    assertEquals("invalid --http-tls-key '': set together with --http-tls-cert",
        refused("--http-tls-cert", member.cert().toString()));
  }

  @Test
  void aBadFileNamesItsSetting() throws Exception {
    assertEquals("invalid --http-tls-key '" + other.key() + "': not the key of the certificate " + member.cert(),
        refused("--http-tls-key", other.key().toString(), "--http-tls-cert", member.cert().toString()));
    assertTrue(refused("--http-tls-key", member.cert().toString(), "--http-tls-cert", member.cert().toString())
        .startsWith("invalid --http-tls-key '" + member.cert() + "': not a usable PEM private key"));
    assertTrue(refused("--http-tls-key", member.key().toString(), "--http-tls-cert", member.key().toString())
        .startsWith("invalid --http-tls-cert '" + member.key() + "': not a PEM certificate"));
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    assertEquals("invalid --cluster-tls-ca '" + empty + "': no PEM certificate in it",
        refused("--cluster-tls-key", member.key().toString(), "--cluster-tls-cert", member.cert().toString(),
            "--cluster-tls-ca", empty.toString()));
    assertEquals("invalid --cluster-tls-cert '/nonexistent.pem': cannot read it (NoSuchFileException)",
        refused("--cluster-tls-key", member.key().toString(), "--cluster-tls-cert", "/nonexistent.pem",
            "--cluster-tls-ca", pki.caPem.toString()));
  }

  @Test
  void theClientRefusesABadCaFileWithStatusTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
    int status = new Client(new PrintStream(new ByteArrayOutputStream()), errors, Map.of())
        .run(new String[] {"status", "--url", "https://127.0.0.1:1", "--tls-ca", member.key().toString()});
    assertEquals(2, status);
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("dockline: invalid --tls-ca '" + member.key() + "'"),
        err.toString(StandardCharsets.UTF_8));
  }
}
