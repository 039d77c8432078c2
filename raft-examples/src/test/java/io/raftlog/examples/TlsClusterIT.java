package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.testkit.tls.CertificateAuthority;
import io.raftlog.testkit.tls.CertificateAuthority.PemFiles;
import io.raftlog.transport.netty.TlsConfig;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code raftlog node} processes with mutual TLS ({@code --tls-cert}, {@code --tls-key},
 * {@code --tls-ca}): they form a cluster and commit; the client commands reach it with
 * {@code --tls-ca} and fail without.
 */
class TlsClusterIT {
    @TempDir
    Path data;

    @Test
    void nodesWithTlsFlagsFormAClusterThatOnlyTlsClientsReach() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("TlsClusterIT CA");
        Map<String, PemFiles> files = new HashMap<>();
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : List.of("n1", "n2", "n3")) {
                PemFiles pem = ca.issueNode(id).write(data.resolve("tls"), id);
                files.put(id, pem);
                cluster.start(
                        id,
                        "--bootstrap",
                        "--tls-cert",
                        pem.certificate().toString(),
                        "--tls-key",
                        pem.privateKey().toString(),
                        "--tls-ca",
                        pem.ca().toString(),
                        "--client-access",
                        "writer=produce+consume,*=consume");
            }
            Path caFile = files.get("n1").ca();
            PemFiles writer = ca.issueClient("writer").write(data.resolve("tls"), "writer");
            try (RaftClient client = new RaftClient(RaftClientConfig.of(ClusterNode.DEFAULT_CLUSTER_ID, cluster.seeds())
                            .withRequestTimeout(Duration.ofSeconds(20))
                            .withTls(TlsConfig.of(writer.certificate(), writer.privateKey(), caFile)));
                    RaftClient anonymous =
                            new RaftClient(RaftClientConfig.of(ClusterNode.DEFAULT_CLUSTER_ID, cluster.seeds())
                                    .withRequestTimeout(Duration.ofSeconds(20))
                                    .withTls(TlsConfig.trusting(caFile)))) {
                assertThat(client.append(Bytes.ofUtf8("secured")).get(30, TimeUnit.SECONDS))
                        .isPositive();
                assertThatThrownBy(() -> anonymous.append(Bytes.ofUtf8("x")).get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(io.raftlog.api.NotAuthorizedException.class)
                        .hasMessageContaining("a client without a principal may not produce");
                assertThat(anonymous.read(1, 10, Duration.ZERO).get(30, TimeUnit.SECONDS))
                        .extracting(record -> record.payload().toUtf8())
                        .contains("secured");
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.output("n1").contains("TLS TLSv1.3, peers mutually authenticated"));

            NodeProcesses.Run secured =
                    cluster.run("status", "--servers", cluster.servers(), "--tls-ca", caFile.toString());
            assertThat(secured.exitCode()).as(secured.stderr()).isZero();
            assertThat(secured.stdout()).contains("LEADER");

            NodeProcesses.Run plain = cluster.run("status", "--servers", cluster.servers());
            assertThat(plain.exitCode())
                    .as("a plain-TCP client is refused by TLS nodes")
                    .isNotZero();
            assertThat(plain.stderr()).contains("accepts TLS connections only");

            NodeProcesses.Run halfConfigured = cluster.run(
                    "status",
                    "--servers",
                    cluster.servers(),
                    "--tls-cert",
                    files.get("n1").certificate().toString());
            assertThat(halfConfigured.exitCode()).isNotZero();
            assertThat(halfConfigured.stderr()).contains("needs --tls-ca").contains("missing: --tls-key --tls-ca");

            // A renewed certificate put in place, then SIGHUP: loaded at once, not at the next 30 s check.
            PemFiles renewed = ca.issueNode("n1").write(data.resolve("renewed"), "n1");
            java.nio.file.Files.copy(
                    renewed.privateKey(),
                    files.get("n1").privateKey(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            java.nio.file.Files.copy(
                    renewed.certificate(),
                    files.get("n1").certificate(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (cluster.output("n1").contains("SIGHUP is ignored in this process")) {
                // This build runs with SIGHUP ignored (under nohup), which its child JVMs inherit and
                // keep: the node said so at start, which is what it must do then.
                return;
            }
            Process hangUp = new ProcessBuilder(
                            "kill", "-HUP", Long.toString(cluster.process("n1").pid()))
                    .start();
            assertThat(hangUp.waitFor()).isZero();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(cluster.output("n1"))
                            .contains("SIGHUP: checking the TLS files now")
                            .contains("reloaded TLS certificate"));
        }
    }

    /**
     * A process that holds n2's certificate and starts as n3 (in n3's place, n3 stopped) is
     * refused by every peer — its certificate does not name the id it claims — and exits saying
     * so, while n1 and n2 commit on without it.
     */
    @Test
    void aProcessWithTheCertificateOfN2CannotJoinAsN3() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("TlsClusterIT CA");
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            Map<String, PemFiles> files = new HashMap<>();
            for (String id : List.of("n1", "n2", "n3")) {
                PemFiles pem = ca.issueNode(id).write(data.resolve("tls"), id);
                files.put(id, pem);
                // n2 on OpenSSL, the others on the JDK's provider: they interoperate.
                cluster.start(
                        id,
                        id.equals("n2")
                                ? tlsFlags(pem, "--bootstrap", "--tls-provider", "openssl")
                                : tlsFlags(pem, "--bootstrap"));
            }
            Path caFile = files.get("n1").ca();
            try (RaftClient client = new RaftClient(RaftClientConfig.of(ClusterNode.DEFAULT_CLUSTER_ID, cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(20))
                    .withTls(TlsConfig.trusting(caFile)))) {
                assertThat(client.append(Bytes.ofUtf8("with n3")).get(30, TimeUnit.SECONDS))
                        .isPositive();

                cluster.stop("n3");
                cluster.start("n3", tlsFlags(files.get("n2"))); // the impostor

                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !cluster.process("n3").isAlive());
                assertThat(cluster.output("n3"))
                        .as("every peer refused it, and it says why")
                        .contains("2 of its 2 peers refused this node")
                        .contains("peer claims to be 'n3' but its certificate names node n2");
                assertThat(client.append(Bytes.ofUtf8("without n3")).get(30, TimeUnit.SECONDS))
                        .as("n1 and n2 commit on")
                        .isPositive();
            }
            assertThat(cluster.process("n1").isAlive() && cluster.process("n2").isAlive())
                    .isTrue();
            assertThat(cluster.output("n2")).contains("TLS TLSv1.3 on OpenSSL, peers mutually authenticated");
            assertThat(cluster.output("n1") + cluster.output("n2"))
                    .contains("refused peer connection")
                    .contains("peer claims to be 'n3' but its certificate names node n2")
                    .doesNotContain("error:");
        }
    }

    private static String[] tlsFlags(PemFiles pem, String... more) {
        List<String> flags = new java.util.ArrayList<>(List.of(
                "--tls-cert",
                pem.certificate().toString(),
                "--tls-key",
                pem.privateKey().toString(),
                "--tls-ca",
                pem.ca().toString()));
        flags.addAll(List.of(more));
        return flags.toArray(String[]::new);
    }

    @Test
    void theDemoWithTlsMakesItsCertificatesAndRunsSecured() throws Exception {
        try (NodeProcesses commands = new NodeProcesses(data.resolve("demo-runs"), 0)) {
            NodeProcesses.Run demo = commands.run(
                    "demo",
                    "--tls",
                    "--records",
                    "500",
                    "--data",
                    data.resolve("demo").toString(),
                    "--metrics-port",
                    "0");

            assertThat(demo.exitCode()).as(demo.stderr()).isZero();
            assertThat(demo.stdout())
                    .contains("mutual TLS between the nodes")
                    .contains("--tls-ca "
                            + data.resolve("demo")
                                    .resolve("tls")
                                    .resolve("ca.crt")
                                    .toAbsolutePath())
                    .contains("done: produced 500, consumed 500, failed 0");
            assertThat(data.resolve("demo").resolve("tls").resolve("n1.crt")).exists();
        }
    }
}
