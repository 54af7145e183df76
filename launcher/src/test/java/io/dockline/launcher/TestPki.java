package io.dockline.launcher;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA and certificates it signs, as the PEM files dockline takes, made with openssl (EC P-256 keys,
 * valid two days). Certificates name 127.0.0.1 and localhost, so HTTPS clients verifying the host accept them.
 */
final class TestPki {
  private final Path dir;
  private final Path caKey;
  /** This CA's certificate, PEM. */
  final Path caPem;

  /** A certificate and its private key (PKCS#8), both PEM. */
  record Pair(Path key, Path cert) {}

  private TestPki(Path dir, String name) {
    this.dir = dir;
    this.caKey = dir.resolve(name + "-ca.key");
    this.caPem = dir.resolve(name + "-ca.pem");
  }

  /** A new CA named {@code name}, its files in {@code dir}. */
  static TestPki ca(Path dir, String name) throws Exception {
    TestPki pki = new TestPki(dir, name);
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", pki.caKey.toString(), "-out", pki.caPem.toString(), "-days", "2", "-subj", "/CN=" + name);
    return pki;
  }

  /** A key and a certificate for {@code cn}, signed by this CA. */
  Pair issue(String cn) throws Exception {
    Path csr = dir.resolve(cn + ".csr");
    Path ext = Files.writeString(dir.resolve(cn + ".ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    Pair pair = new Pair(dir.resolve(cn + ".key"), dir.resolve(cn + ".pem"));
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", pair.key().toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
    openssl("x509", "-req", "-in", csr.toString(), "-CA", caPem.toString(), "-CAkey", caKey.toString(),
        "-set_serial", Long.toString(System.nanoTime()), "-days", "2", "-extfile", ext.toString(),
        "-out", pair.cert().toString());
    return pair;
  }

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(Deadlines.killAfter(p, 60).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
