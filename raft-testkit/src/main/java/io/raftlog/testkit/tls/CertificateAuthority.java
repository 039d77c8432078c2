package io.raftlog.testkit.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests and demos: an EC P-256 key and a self-signed CA
 * certificate, which issues node and client certificates in the form raftlog's TLS expects and
 * writes them as PEM files.
 *
 * <p>A node's certificate names its node id in a subjectAltName URI {@code urn:raftlog:node:<id>}
 * (and carries the loopback address and {@code localhost}, so that host name verification passes
 * on one machine); a client's names its principal in {@code urn:raftlog:client:<name>}. Both may
 * act as TLS client and server (extended key usage serverAuth and clientAuth).
 *
 * <p>Not for production: the keys live in files without a pass phrase, and nothing revokes them.
 */
public final class CertificateAuthority {
    /** The subjectAltName URI prefix of a node's identity. */
    public static final String NODE_URI_PREFIX = "urn:raftlog:node:";
    /** The subjectAltName URI prefix of a client's identity. */
    public static final String CLIENT_URI_PREFIX = "urn:raftlog:client:";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration BACKDATE = Duration.ofHours(1); // clocks of a few machines disagree

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private CertificateAuthority(X500Name name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new CA named {@code CN=<commonName>}, valid for ten years from an hour ago. */
    public static CertificateAuthority create(String commonName) {
        Objects.requireNonNull(commonName, "commonName");
        X500Name name = new X500Name("CN=" + commonName);
        KeyPair keys = newKeyPair();
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(Duration.ofDays(3650))),
                            name,
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(name, keys, sign(builder, keys.getPrivate()));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a test CA", e);
        }
    }

    /** The CA's own certificate: what a node or client trusts. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** A certificate for node {@code nodeId}, valid for a year. */
    public Issued issueNode(String nodeId) {
        return issueNode(nodeId, Duration.ofDays(365));
    }

    /** A certificate for node {@code nodeId}, valid for {@code validity} from an hour ago. */
    public Issued issueNode(String nodeId, Duration validity) {
        return issue("raftlog node " + nodeId, List.of(NODE_URI_PREFIX + nodeId), validity);
    }

    /** A certificate for the client principal {@code principal}, valid for a year. */
    public Issued issueClient(String principal) {
        return issue("raftlog client " + principal, List.of(CLIENT_URI_PREFIX + principal), Duration.ofDays(365));
    }

    /**
     * A certificate with common name {@code commonName} and the subjectAltName URIs {@code uris},
     * besides {@code IP:127.0.0.1}, {@code IP:::1} and {@code DNS:localhost}.
     */
    public Issued issue(String commonName, List<String> uris, Duration validity) {
        KeyPair leaf = newKeyPair();
        Instant now = Instant.now();
        List<GeneralName> names = new ArrayList<>();
        for (String uri : uris) {
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        }
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        names.add(new GeneralName(GeneralName.iPAddress, "::1"));
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(validity)),
                            new X500Name("CN=" + commonName),
                            leaf.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            extensions.createAuthorityKeyIdentifier(certificate))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            extensions.createSubjectKeyIdentifier(leaf.getPublic()));
            return new Issued(sign(builder, keys.getPrivate()), leaf.getPrivate(), certificate);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** An issued certificate, its private key and the CA that signed it. */
    public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate ca) {
        /**
         * Writes {@code <name>.crt} (the certificate), {@code <name>.key} (the key, PKCS#8) and
         * {@code ca.crt} (the CA's certificate) into {@code directory}, as PEM.
         */
        public PemFiles write(Path directory, String name) {
            try {
                Files.createDirectories(directory);
                PemFiles files = new PemFiles(
                        directory.resolve(name + ".crt"),
                        directory.resolve(name + ".key"),
                        directory.resolve("ca.crt"));
                writePem(files.certificate(), certificate);
                writePem(files.privateKey(), new JcaPKCS8Generator(key, null));
                writePem(files.ca(), ca);
                return files;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Where {@link Issued#write} put a certificate, its key and its CA's certificate. */
    public record PemFiles(Path certificate, Path privateKey, Path ca) {}

    /** Writes {@code object} (a certificate, or a key generator) to {@code file} as PEM. */
    static void writePem(Path file, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(object);
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generator in this JVM", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
