package io.raftlog.examples;

import io.raftlog.transport.netty.TlsConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The TLS options of {@code raftlog node} and of the client commands: PEM files for this side's
 * certificate and key, and the CA certificates it trusts. None given: plain TCP.
 */
final class TlsOptions {
    @Option(
            names = "--tls-cert",
            paramLabel = "PEM",
            description = "This side's certificate chain (PEM). A node's names its id as the subjectAltName URI"
                    + " urn:raftlog:node:<id>; a client's its principal as urn:raftlog:client:<name>.")
    Path certificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's private key (PEM, PKCS#8).")
    Path key;

    @Option(
            names = "--tls-ca",
            paramLabel = "PEM",
            description = "The CA certificates to trust (PEM): those that sign the nodes' (and clients') certificates."
                    + " Turns TLS on.")
    Path ca;

    @Option(
            names = "--tls-require-client-cert",
            description = "On a node: clients too must present a certificate of a trusted CA (peers always must).")
    boolean requireClientCertificates;

    @Option(
            names = "--tls-provider",
            paramLabel = "jdk|openssl",
            defaultValue = "jdk",
            converter = ProviderConverter.class,
            description = "The TLS implementation: jdk (the default) or openssl (BoringSSL, bundled for Linux"
                    + " x86_64; about twice the JDK's encryption throughput).")
    TlsConfig.Provider provider = TlsConfig.Provider.JDK;

    /** {@code jdk} or {@code openssl}, in any case. */
    static final class ProviderConverter implements picocli.CommandLine.ITypeConverter<TlsConfig.Provider> {
        @Override
        public TlsConfig.Provider convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "jdk" -> TlsConfig.Provider.JDK;
                case "openssl" -> TlsConfig.Provider.OPENSSL;
                default ->
                    throw new picocli.CommandLine.TypeConversionException(
                            "--tls-provider must be jdk or openssl, was '" + value + "'");
            };
        }
    }

    boolean enabled() {
        return ca != null || certificate != null || key != null;
    }

    /** A node's TLS, or null for plain TCP. */
    TlsConfig node() {
        if (!enabled()) {
            if (requireClientCertificates) {
                throw new IllegalArgumentException(
                        "--tls-require-client-cert needs TLS: give --tls-cert, --tls-key" + " and --tls-ca");
            }
            return null;
        }
        if (certificate == null || key == null || ca == null) {
            throw new IllegalArgumentException("a node's TLS needs all of --tls-cert, --tls-key and --tls-ca (its own"
                    + " certificate and key, and the CA that signs its peers'); missing: " + missing());
        }
        return TlsConfig.of(certificate, key, ca)
                .withRequireClientCertificates(requireClientCertificates)
                .withProvider(provider);
    }

    /** A client's TLS, or null for plain TCP. */
    TlsConfig client() {
        if (!enabled()) {
            return null;
        }
        if (ca == null || (certificate == null) != (key == null)) {
            throw new IllegalArgumentException("a client's TLS needs --tls-ca (the CA that signs the nodes'"
                    + " certificates), and --tls-cert with --tls-key to present its own; missing: " + missing());
        }
        return (certificate == null ? TlsConfig.trusting(ca) : TlsConfig.of(certificate, key, ca))
                .withProvider(provider);
    }

    private String missing() {
        StringBuilder missing = new StringBuilder();
        if (certificate == null) {
            missing.append("--tls-cert ");
        }
        if (key == null) {
            missing.append("--tls-key ");
        }
        if (ca == null) {
            missing.append("--tls-ca ");
        }
        return missing.toString().trim();
    }
}
