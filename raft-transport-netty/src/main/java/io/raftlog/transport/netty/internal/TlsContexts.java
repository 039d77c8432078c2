package io.raftlog.transport.netty.internal;

import io.netty.handler.ssl.SslContext;
import io.raftlog.transport.netty.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * A node's or a client's TLS contexts, built from its {@link TlsConfig}'s files and rebuilt when
 * they change: every new connection takes the contexts current at its start. Watches the
 * certificate's expiry, if there is one, and warns ahead of it. Thread-safe: the contexts are
 * published through volatile fields; {@link #check()} is synchronized (a timer, and a reload asked
 * for on a signal).
 */
public final class TlsContexts {
    private final Logger log;
    /** A certificate this close to its expiry is warned about, at load and once a day after. */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private final TlsConfig config;
    private final String owner;
    private final Clock clock;
    private final boolean serves;
    private volatile SslContext server;
    private volatile SslContext client;
    private volatile X509Certificate certificate;
    private byte[] fingerprint;
    private Instant lastExpiryWarning = Instant.MIN;
    private boolean unusableReported;

    /**
     * Loads the files: throws {@link IllegalArgumentException} naming the file if they do not load.
     *
     * @param serves whether connections are accepted too (a node), or only dialled (a client)
     * @param log    where reloads and expiry warnings go (the owner's logger)
     */
    public TlsContexts(TlsConfig config, String owner, Clock clock, boolean serves, Logger log) {
        if (serves && !config.hasCertificate()) {
            throw new IllegalArgumentException("TLS on a node needs its certificate and key, not only trusted CAs");
        }
        this.config = config;
        this.owner = owner;
        this.clock = clock;
        this.serves = serves;
        this.log = log;
        this.fingerprint = fingerprint();
        load();
        warnIfExpiring();
    }

    /** The context for accepted connections (null on a client). */
    public SslContext server() {
        return server;
    }

    /** The context for dialled connections. */
    public SslContext client() {
        return client;
    }

    private Instant expiry() {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * Reloads the files if they changed since they were last loaded, and warns about a
     * certificate close to its expiry. Files that do not load keep the contexts in use.
     */
    public synchronized void check() {
        byte[] now = fingerprint();
        if (now != null && !Arrays.equals(now, fingerprint)) {
            try {
                load();
                fingerprint = now;
                unusableReported = false;
                if (certificate == null) {
                    log.info(
                            "{}: reloaded trusted CAs {}; new connections use them",
                            owner,
                            config.trustedCertificates());
                } else {
                    log.info(
                            "{}: reloaded TLS certificate {} (serial {}, valid until {}) and trusted CAs {}; new"
                                    + " connections use them",
                            owner,
                            config.certificateChain(),
                            certificate.getSerialNumber().toString(16),
                            expiry(),
                            config.trustedCertificates());
                }
                lastExpiryWarning = Instant.MIN;
            } catch (RuntimeException unusable) {
                if (!unusableReported) {
                    unusableReported = true; // until they change again: a half-written file is common
                    log.warn(
                            "{}: the changed TLS files do not load, keeping the ones in use: {}",
                            owner,
                            unusable.getMessage());
                }
            }
        }
        warnIfExpiring();
    }

    private void load() {
        SslContext newServer = serves ? Tls.server(config) : null; // checks the files exist, naming a missing one
        SslContext newClient = Tls.client(config);
        X509Certificate leaf = null;
        if (config.hasCertificate()) {
            leaf = readLeaf(config.certificateChain());
            requireMatchingKey(leaf, config.privateKey());
        }
        certificate = leaf;
        server = newServer;
        client = newClient;
    }

    private void warnIfExpiring() {
        if (certificate == null) {
            return;
        }
        Instant now = clock.instant();
        Duration left = Duration.between(now, expiry());
        if (left.compareTo(EXPIRY_WARNING) > 0
                || Duration.between(lastExpiryWarning, now).compareTo(Duration.ofDays(1)) < 0) {
            return;
        }
        lastExpiryWarning = now;
        if (left.isNegative()) {
            log.warn(
                    "{}: TLS certificate {} expired at {}: peers and clients refuse it; put a renewed one in its"
                            + " place (it is reloaded within {} s)",
                    owner,
                    config.certificateChain(),
                    expiry(),
                    config.reloadInterval().toSeconds());
        } else {
            log.warn(
                    "{}: TLS certificate {} expires in {} day(s), at {}: renew it and replace the file (it is"
                            + " reloaded within {} s, no restart)",
                    owner,
                    config.certificateChain(),
                    left.toDays(),
                    expiry(),
                    config.reloadInterval().toSeconds());
        }
    }

    /** A digest of the three files' bytes, or null if one cannot be read now (being replaced). */
    private byte[] fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file :
                    new Path[] {config.certificateChain(), config.privateKey(), config.trustedCertificates()}) {
                if (file == null) {
                    continue; // a client without a certificate
                }
                digest.update(Files.readAllBytes(file));
                digest.update((byte) 0);
            }
            return digest.digest();
        } catch (IOException unreadable) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /**
     * Fails unless the key in {@code keyFile} (PEM, PKCS#8) is the private half of {@code leaf}'s
     * public key: a key replaced before its certificate (or the reverse) must not be used.
     */
    private static void requireMatchingKey(X509Certificate leaf, Path keyFile) {
        java.security.PublicKey publicKey = leaf.getPublicKey();
        try {
            String pem = Files.readString(keyFile, java.nio.charset.StandardCharsets.US_ASCII);
            int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = pem.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < begin) {
                throw new IllegalArgumentException("TLS private key file " + keyFile
                        + " is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY)");
            }
            byte[] der = java.util.Base64.getMimeDecoder()
                    .decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
            java.security.PrivateKey privateKey = java.security.KeyFactory.getInstance(publicKey.getAlgorithm())
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
            String algorithm =
                    publicKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + publicKey.getAlgorithm();
            byte[] challenge = new byte[32];
            new java.security.SecureRandom().nextBytes(challenge);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("TLS private key file " + keyFile
                        + " does not belong to the certificate in use (subject " + leaf.getSubjectX500Principal()
                        + "): replace the certificate and its key together");
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "TLS private key file " + keyFile
                            + " does not hold a key for the certificate's " + publicKey.getAlgorithm() + " public key: "
                            + e.getMessage(),
                    e);
        }
    }

    private static X509Certificate readLeaf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException | ClassCastException e) {
            throw new IllegalArgumentException(
                    "TLS certificate chain file " + file + " does not hold a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** The expiry of the certificate in use, for status and metrics (empty without one). */
    public Optional<Instant> expiryIfKnown() {
        return certificate == null ? Optional.empty() : Optional.of(expiry());
    }
}
