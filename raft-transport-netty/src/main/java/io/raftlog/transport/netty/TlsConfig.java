package io.raftlog.transport.netty;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * TLS for a node's port (peers and clients) and its connections to its peers, or for a client.
 * Certificates and keys are PEM files, read when the transport or client starts.
 *
 * <p><b>Identities.</b> A node's certificate names its node id in a subjectAltName URI
 * {@code urn:raftlog:node:<id>} (openssl: {@code subjectAltName=URI:urn:raftlog:node:n1,IP:10.0.0.1}).
 * Between peers TLS is always mutual: a node accepts a peer connection only with a certificate
 * signed by a CA of {@code trustedCertificates} that names the node id the peer claims in its
 * hello, and it dials a peer only to find a certificate naming that peer. A client's certificate
 * names its principal in {@code urn:raftlog:client:<name>}.
 *
 * @param certificateChain          PEM: this side's certificate, then any intermediates; null for a
 *                                  client that presents none (a node must have one)
 * @param privateKey                PEM: the certificate's private key, PKCS#8 ({@code BEGIN PRIVATE
 *                                  KEY}), unencrypted; null exactly when {@code certificateChain} is
 * @param trustedCertificates       PEM: the CA certificates that sign the other sides' certificates
 * @param verifyHostname            whether the dialling side checks that the certificate it is shown
 *                                  names the host or IP address it dialled (on by default)
 * @param requireClientCertificates on a node: whether clients too must present a certificate signed
 *                                  by a trusted CA (peers always must); off by default
 * @param protocols                 the TLS versions offered, {@code TLSv1.3} by default
 * @param reloadInterval            how often the files are checked for a change (30 s by default):
 *                                  a changed certificate, key or CA file is loaded without a restart
 *                                  and used by every connection opened from then on (open ones keep
 *                                  theirs); files that do not load keep the ones in use, with a
 *                                  warning
 * @param provider                  the TLS implementation: the JDK's (the default) or OpenSSL
 *                                  (BoringSSL), which needs {@code io.netty:netty-tcnative-boringssl-static}
 *                                  on the class path; see {@link Provider}
 */
public record TlsConfig(
        Path certificateChain,
        Path privateKey,
        Path trustedCertificates,
        boolean verifyHostname,
        boolean requireClientCertificates,
        List<String> protocols,
        java.time.Duration reloadInterval,
        Provider provider) {
    /** Which TLS implementation encrypts the connections. */
    public enum Provider {
        /** The JDK's own ({@code SSLEngine}): nothing to add. */
        JDK,
        /**
         * BoringSSL through netty-tcnative: add {@code io.netty:netty-tcnative-boringssl-static}
         * (the version Netty's BOM names); a transport or client asking for it without it fails to
         * start, saying so.
         */
        OPENSSL
    }

    /** TLS 1.3 only: what both sides of a raftlog connection speak by default. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3");

    /** How often the files are checked for a change by default. */
    public static final java.time.Duration DEFAULT_RELOAD_INTERVAL = java.time.Duration.ofSeconds(30);

    public TlsConfig {
        if ((certificateChain == null) != (privateKey == null)) {
            throw new IllegalArgumentException(
                    "TLS needs both a certificate chain and its private key, or neither (a client without a"
                            + " certificate); got certificateChain=" + certificateChain + ", privateKey=" + privateKey);
        }
        Objects.requireNonNull(trustedCertificates, "trustedCertificates (the CA certificates to trust, PEM)");
        protocols = List.copyOf(protocols);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("TLS needs at least one protocol version, such as TLSv1.3");
        }
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        Objects.requireNonNull(provider, "provider");
        if (reloadInterval.isNegative() || reloadInterval.isZero()) {
            throw new IllegalArgumentException("reloadInterval must be positive, was " + reloadInterval);
        }
    }

    /** A node's (or a client's) certificate and key, and the CA certificates it trusts. */
    public static TlsConfig of(Path certificateChain, Path privateKey, Path trustedCertificates) {
        return new TlsConfig(
                Objects.requireNonNull(certificateChain, "certificateChain"),
                Objects.requireNonNull(privateKey, "privateKey"),
                trustedCertificates,
                true,
                false,
                DEFAULT_PROTOCOLS,
                DEFAULT_RELOAD_INTERVAL,
                Provider.JDK);
    }

    /** A client that presents no certificate and trusts the nodes' CA certificates. */
    public static TlsConfig trusting(Path trustedCertificates) {
        return new TlsConfig(
                null, null, trustedCertificates, true, false, DEFAULT_PROTOCOLS, DEFAULT_RELOAD_INTERVAL, Provider.JDK);
    }

    /** Whether this side presents a certificate. */
    public boolean hasCertificate() {
        return certificateChain != null;
    }

    public TlsConfig withVerifyHostname(boolean verify) {
        return new TlsConfig(
                certificateChain,
                privateKey,
                trustedCertificates,
                verify,
                requireClientCertificates,
                protocols,
                reloadInterval,
                provider);
    }

    public TlsConfig withRequireClientCertificates(boolean require) {
        return new TlsConfig(
                certificateChain,
                privateKey,
                trustedCertificates,
                verifyHostname,
                require,
                protocols,
                reloadInterval,
                provider);
    }

    public TlsConfig withProtocols(List<String> versions) {
        return new TlsConfig(
                certificateChain,
                privateKey,
                trustedCertificates,
                verifyHostname,
                requireClientCertificates,
                versions,
                reloadInterval,
                provider);
    }

    public TlsConfig withReloadInterval(java.time.Duration interval) {
        return new TlsConfig(
                certificateChain,
                privateKey,
                trustedCertificates,
                verifyHostname,
                requireClientCertificates,
                protocols,
                interval,
                provider);
    }

    /** The TLS implementation to use; see {@link Provider}. */
    public TlsConfig withProvider(Provider implementation) {
        return new TlsConfig(
                certificateChain,
                privateKey,
                trustedCertificates,
                verifyHostname,
                requireClientCertificates,
                protocols,
                reloadInterval,
                implementation);
    }
}
