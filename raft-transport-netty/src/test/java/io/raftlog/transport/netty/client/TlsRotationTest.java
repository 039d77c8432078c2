package io.raftlog.transport.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.testkit.tls.CertificateAuthority;
import io.raftlog.testkit.tls.CertificateAuthority.PemFiles;
import io.raftlog.transport.netty.FakeCluster;
import io.raftlog.transport.netty.LogCapture;
import io.raftlog.transport.netty.Loopback;
import io.raftlog.transport.netty.NettyTransport;
import io.raftlog.transport.netty.NettyTransportConfig;
import io.raftlog.transport.netty.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's certificate replaced on disk while a producer runs: the node loads it without a
 * restart, new connections get it, and no append fails. Expiry is warned about ahead of time.
 */
class TlsRotationTest {
    private static final NodeId A = NodeId.of("a");

    @TempDir
    Path dir;

    private final Map<NodeId, java.net.InetSocketAddress> peers = Loopback.addresses(List.of(A));
    private final FakeCluster cluster = new FakeCluster(A);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private LogCapture log;

    @BeforeEach
    void capture() {
        log = LogCapture.start();
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        cluster.close();
        log.close();
    }

    @Test
    void aCertificateReplacedOnDiskIsUsedWithoutARestartAndNoAppendFails() throws Exception {
        CertificateAuthority oldCa = CertificateAuthority.create("old CA");
        CertificateAuthority newCa = CertificateAuthority.create("new CA");
        PemFiles first = oldCa.issueNode("a").write(dir.resolve("first"), "node");
        PemFiles second = newCa.issueNode("a").write(dir.resolve("second"), "node");
        // The files the node reads; clients trust a bundle of both CAs, as during a CA rotation.
        Path live = Files.createDirectories(dir.resolve("live"));
        Path cert = Files.copy(first.certificate(), live.resolve("node.crt"));
        Path key = Files.copy(first.privateKey(), live.resolve("node.key"));
        Path ca = Files.copy(first.ca(), live.resolve("ca.crt"));
        Path bundle = Files.writeString(
                dir.resolve("bundle.crt"), Files.readString(first.ca()) + Files.readString(second.ca()));

        NettyTransport node = startNode(
                config -> config.withTls(TlsConfig.of(cert, key, ca).withReloadInterval(Duration.ofMillis(100))));
        RaftClient producer = client(TlsConfig.trusting(bundle));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                try {
                    producer.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
                    committed.incrementAndGet();
                } catch (Exception e) {
                    failures.add(e);
                }
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> committed.get() > 50);

        // Replace the key first and the certificate last, as a renewal job might: in between the
        // pair does not match, and the node keeps what it has.
        Files.copy(second.privateKey(), key, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        log.hasLine("the changed TLS files do not load, keeping the ones in use", "does not belong"));
        long duringTheMismatch = committed.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> committed.get() > duringTheMismatch + 20);
        Files.copy(second.ca(), ca, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(second.certificate(), cert, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.hasLine("reloaded TLS certificate", "new connections use them"));

        // Only the new certificate satisfies a client that trusts only the new CA.
        RaftClient renewedOnly = client(TlsConfig.trusting(second.ca()));
        assertThat(renewedOnly.append(Bytes.ofUtf8("new")).get(10, TimeUnit.SECONDS))
                .isPositive();
        long before = committed.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> committed.get() > before + 50);
        stop.set(true);
        producing.get(20, TimeUnit.SECONDS);
        assertThat(failures).as("appends failed during the rotation").isEmpty();
    }

    @Test
    void aClientsCertificateReplacedOnDiskIsPresentedOnItsNextConnectionWithoutARestart() throws Exception {
        CertificateAuthority oldCa = CertificateAuthority.create("old CA");
        CertificateAuthority newCa = CertificateAuthority.create("new CA");
        PemFiles oldNode = oldCa.issueNode("a").write(dir.resolve("old-node"), "node");
        PemFiles newNode = newCa.issueNode("a").write(dir.resolve("new-node"), "node");
        PemFiles oldClient = oldCa.issueClient("app").write(dir.resolve("old-client"), "client");
        PemFiles newClient = newCa.issueClient("app").write(dir.resolve("new-client"), "client");
        Path live = Files.createDirectories(dir.resolve("live"));
        Path cert = Files.copy(oldClient.certificate(), live.resolve("client.crt"));
        Path key = Files.copy(oldClient.privateKey(), live.resolve("client.key"));
        Path bundle = Files.writeString(
                dir.resolve("bundle.crt"), Files.readString(oldNode.ca()) + Files.readString(newNode.ca()));
        NettyTransport first = startNode(
                config -> config.withTls(TlsConfig.of(oldNode.certificate(), oldNode.privateKey(), oldNode.ca())
                        .withRequireClientCertificates(true)));
        RaftClient producer = client(TlsConfig.of(cert, key, bundle).withReloadInterval(Duration.ofMillis(100)));
        assertThat(producer.append(Bytes.ofUtf8("old")).get(10, TimeUnit.SECONDS))
                .isPositive();

        Files.copy(newClient.privateKey(), key, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(newClient.certificate(), cert, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.hasLine("raftlog client: reloaded TLS certificate " + cert, "new connections"));
        // The node comes back trusting only the new CA: only the reloaded certificate gets in.
        first.close();
        startNode(config -> config.withTls(TlsConfig.of(newNode.certificate(), newNode.privateKey(), newNode.ca())
                .withRequireClientCertificates(true)));

        assertThat(producer.append(Bytes.ofUtf8("new")).get(10, TimeUnit.SECONDS))
                .as("appended over a connection made with the renewed certificate")
                .isPositive();
    }

    /** Node a with {@code tls}, serving clients; closed after the test. */
    private NettyTransport startNode(UnaryOperator<NettyTransportConfig> tls) {
        NettyTransport node = Loopback.start(A, peers, message -> {}, tls);
        resources.add(node);
        node.serveClients(cluster.node(A));
        return node;
    }

    @Test
    void aReloadAskedForLoadsChangedFilesAtOnceNotAtTheNextInterval() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("CA");
        PemFiles first = ca.issueNode("a").write(dir.resolve("first"), "node");
        PemFiles second = ca.issueNode("a").write(dir.resolve("second"), "node");
        Path live = Files.createDirectories(dir.resolve("live"));
        Path cert = Files.copy(first.certificate(), live.resolve("node.crt"));
        Path key = Files.copy(first.privateKey(), live.resolve("node.key"));
        NettyTransport node = startNode(
                config -> config.withTls(TlsConfig.of(cert, key, first.ca()).withReloadInterval(Duration.ofHours(1))));
        Instant before = node.tlsCertificateExpiry().orElseThrow();

        Files.copy(second.privateKey(), key, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(second.certificate(), cert, StandardCopyOption.REPLACE_EXISTING);
        node.reloadTls(); // what SIGHUP to raftlog node does

        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.hasLine("reloaded TLS certificate " + cert, "new connections use them"));
        assertThat(node.tlsCertificateExpiry())
                .hasValueSatisfying(expiry -> assertThat(expiry).isAfterOrEqualTo(before));
    }

    @Test
    void aCertificateCloseToItsExpiryIsWarnedAboutAndReported() {
        CertificateAuthority ca = CertificateAuthority.create("short-lived CA");
        PemFiles files = ca.issueNode("a", Duration.ofDays(3)).write(dir.resolve("short"), "node");

        NettyTransport node =
                startNode(config -> config.withTls(TlsConfig.of(files.certificate(), files.privateKey(), files.ca())));

        assertThat(log.hasLine("TLS certificate " + files.certificate(), "expires in 2 day(s)", "renew it"))
                .isTrue();
        assertThat(node.tlsCertificateExpiry())
                .hasValueSatisfying(expiry -> assertThat(expiry)
                        .isBetween(
                                Instant.now().plus(Duration.ofDays(2)),
                                Instant.now().plus(Duration.ofDays(3))));
    }

    private RaftClient client(TlsConfig tls) {
        RaftClient client = new RaftClient(RaftClientConfig.of(Loopback.CLUSTER, List.of(peers.get(A)))
                .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .withConnectTimeout(Duration.ofSeconds(1))
                .withTls(tls));
        resources.add(client);
        return client;
    }
}
