package io.raftlog.bench;

import io.raftlog.api.NodeId;
import io.raftlog.testkit.tls.CertificateAuthority;
import io.raftlog.testkit.tls.CertificateAuthority.PemFiles;
import io.raftlog.transport.netty.TlsConfig;
import java.nio.file.Path;

/** TLS for a benchmark's nodes: a throw-away CA and one certificate per node, in a directory deleted at exit. */
final class BenchTls {
    private final CertificateAuthority ca = CertificateAuthority.create("raftlog bench CA");
    private final Path directory = BenchDirectories.createDeletedAtExit("tls-");

    /** Node {@code id}'s TLS: its certificate of this CA, mutual between peers, TLS 1.3. */
    TlsConfig node(NodeId id) {
        PemFiles files = ca.issueNode(id.value()).write(directory, id.value());
        return TlsConfig.of(files.certificate(), files.privateKey(), files.ca());
    }
}
