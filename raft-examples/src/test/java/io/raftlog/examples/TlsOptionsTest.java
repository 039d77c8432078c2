package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.transport.netty.TlsConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The --tls-* flags: what a node and a client need, and what they are told when something is missing. */
class TlsOptionsTest {
    private static final Path CERT = Path.of("n1.crt");
    private static final Path KEY = Path.of("n1.key");
    private static final Path CA = Path.of("ca.crt");

    @Test
    void noFlagsMeanPlainTcp() {
        TlsOptions none = new TlsOptions();
        assertThat(none.node()).isNull();
        assertThat(none.client()).isNull();
    }

    @Test
    void aNodeNeedsAllThreeFiles() {
        assertThat(options(CERT, KEY, CA).node()).isEqualTo(TlsConfig.of(CERT, KEY, CA));
        assertThatThrownBy(() -> options(CERT, null, CA).node())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs all of --tls-cert, --tls-key and --tls-ca")
                .hasMessageEndingWith("missing: --tls-key");
    }

    @Test
    void aClientNeedsTheCaAndMayPresentACertificate() {
        assertThat(options(null, null, CA).client()).isEqualTo(TlsConfig.trusting(CA));
        assertThat(options(CERT, KEY, CA).client()).isEqualTo(TlsConfig.of(CERT, KEY, CA));
        assertThatThrownBy(() -> options(CERT, null, CA).client())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-cert with --tls-key");
    }

    @Test
    void requiringClientCertificatesNeedsTls() {
        TlsOptions options = options(null, null, null);
        options.requireClientCertificates = true;
        assertThatThrownBy(options::node).hasMessageContaining("--tls-require-client-cert needs TLS");
        TlsOptions secured = options(CERT, KEY, CA);
        secured.requireClientCertificates = true;
        assertThat(secured.node().requireClientCertificates()).isTrue();
    }

    @Test
    void theProviderIsJdkOrOpenSslAndGoesToBothSides() {
        TlsOptions.ProviderConverter converter = new TlsOptions.ProviderConverter();
        assertThat(converter.convert("openssl")).isEqualTo(TlsConfig.Provider.OPENSSL);
        assertThat(converter.convert("JDK")).isEqualTo(TlsConfig.Provider.JDK);
        assertThatThrownBy(() -> converter.convert("gnutls"))
                .hasMessageContaining("--tls-provider must be jdk or openssl, was 'gnutls'");
        TlsOptions options = options(CERT, KEY, CA);
        assertThat(options.node().provider()).isEqualTo(TlsConfig.Provider.JDK);
        options.provider = TlsConfig.Provider.OPENSSL;
        assertThat(options.node().provider()).isEqualTo(TlsConfig.Provider.OPENSSL);
        assertThat(options.client().provider()).isEqualTo(TlsConfig.Provider.OPENSSL);
    }

    private static TlsOptions options(Path cert, Path key, Path ca) {
        TlsOptions options = new TlsOptions();
        options.certificate = cert;
        options.key = key;
        options.ca = ca;
        return options;
    }
}
