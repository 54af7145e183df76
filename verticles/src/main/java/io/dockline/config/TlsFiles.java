package io.dockline.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * PEM files of one TLS endpoint: a private key, its certificate (the chain, leaf first), and, for mutual
 * authentication, the CA whose certificates are trusted ({@code ca} null when none). {@link #checkCertificates}
 * and {@link #checkKeyOf} read them the way Vert.x will, so a wrong file is a wrong setting when the node
 * starts (one line, exit status 2), not a failed handshake later.
 */
public record TlsFiles(Path key, Path cert, Path ca) {

  /**
   * The clustered event bus, server and client side: this key and certificate, trust of the CA alone, and a
   * certificate signed by it required of every peer, so a member without one neither sends nor receives.
   * Host names are not verified: members are identified by the CA's signature, and they connect by address.
   */
  public void requireMutualAuth(EventBusOptions eventBus) {
    // trustAll: the event bus's default is true, with which a member would send to whoever answers its connection
    eventBus.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setTrustAll(false)
        .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(key.toString()).setCertPath(cert.toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()));
  }

  /** An HTTPS server with this key and certificate. */
  public HttpServerOptions httpServerOptions() {
    return new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(key.toString()).setCertPath(cert.toString()));
  }

  /**
   * A client's TLS context that trusts exactly the PEM certificates of {@code ca} (a CA, or a self-signed
   * server certificate itself).
   * @throws IllegalArgumentException saying what is wrong with the file
   */
  public static SSLContext trusting(Path ca) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates(ca)) store.setCertificateEntry("ca-" + i++, c);
      if (i == 0) throw new IllegalArgumentException("no PEM certificate in it");
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(firstLine(e));
    }
  }

  /**
   * Checks that the file holds at least one PEM certificate.
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static void checkCertificates(Path file) {
    if (certificates(file).isEmpty()) throw new IllegalArgumentException("no PEM certificate in it");
  }

  /**
   * Checks that {@code key} holds a PEM private key (PKCS#8, or PKCS#1 RSA, or SEC 1 EC) that belongs to the
   * first certificate of {@code cert}.
   * @throws IllegalArgumentException saying what is wrong with the key
   */
  public static void checkKeyOf(Path key, Path cert) {
    PemKeyCertOptions pem = new PemKeyCertOptions().setKeyValue(Buffer.buffer(read(key)))
        .setCertValue(Buffer.buffer(read(cert)));
    PrivateKey privateKey;
    Certificate leaf;
    try {
      KeyStore store = pem.loadKeyStore(null); // null: the values are given, no file system needed
      String alias = store.aliases().nextElement();
      X509KeyManager keys = (X509KeyManager) pem.getKeyManagerFactory(null).getKeyManagers()[0];
      privateKey = keys.getPrivateKey(alias);
      leaf = keys.getCertificateChain(alias)[0];
    } catch (Exception e) {
      throw new IllegalArgumentException("not a usable PEM private key: " + firstLine(e));
    }
    String algorithm = signatureAlgorithm(privateKey.getAlgorithm());
    if (algorithm == null) return; // an unusual key type: the handshake will tell
    try {
      // the key belongs to the certificate when what it signs verifies with the certificate's public key
      byte[] probe = "dockline".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(privateKey);
      sign.update(probe);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(leaf.getPublicKey());
      verify.update(probe);
      if (!verify.verify(signature)) throw new IllegalArgumentException("not the key of the certificate " + cert);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("not the key of the certificate " + cert + ": " + firstLine(e));
    }
  }

  private static String signatureAlgorithm(String keyAlgorithm) {
    switch (keyAlgorithm) {
      case "RSA": return "SHA256withRSA";
      case "EC": return "SHA256withECDSA";
      case "Ed25519": case "EdDSA": return "Ed25519";
      default: return null;
    }
  }

  private static Collection<? extends Certificate> certificates(Path file) {
    try {
      return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(read(file)));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + firstLine(e));
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read it (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static String firstLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.split("\n")[0];
  }
}
