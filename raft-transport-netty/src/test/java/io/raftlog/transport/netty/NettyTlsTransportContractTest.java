package io.raftlog.transport.netty;

import io.raftlog.api.NodeId;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.testkit.TransportContract;
import io.raftlog.testkit.tls.CertificateAuthority;
import io.raftlog.testkit.tls.CertificateAuthority.PemFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * NettyTransport passes the transport contract with TLS on: mutual TLS between the members, each
 * with a certificate of one CA naming it. Netty's leak detector runs at paranoid level in this
 * module's tests (see the pom), so a buffer the TLS path leaks fails the build.
 */
class NettyTlsTransportContractTest extends TransportContract {
    private static final CertificateAuthority CA = CertificateAuthority.create("contract CA");

    @TempDir
    static Path certificates;

    private static final Map<NodeId, PemFiles> FILES = new HashMap<>();

    private final Map<NodeId, InetSocketAddress> addresses = Loopback.addresses(MEMBERS);

    @Override
    protected Transport newTransport(NodeId id) {
        PemFiles files;
        synchronized (FILES) {
            // Issued once per class: a subclass gets its own temporary directory.
            files = FILES.compute(
                    id,
                    (node, issued) -> issued != null && issued.certificate().startsWith(certificates)
                            ? issued
                            : CA.issueNode(node.value()).write(certificates.resolve(node.value()), "node"));
        }
        return new NettyTransport(Loopback.config(id, addresses)
                .withTls(TlsConfig.of(files.certificate(), files.privateKey(), files.ca())
                        .withProvider(provider())));
    }

    /** The TLS implementation under test. */
    protected TlsConfig.Provider provider() {
        return TlsConfig.Provider.JDK;
    }
}
