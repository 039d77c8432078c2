package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code raftlog node --metrics-port 0} serves metrics on a free port and says which. */
class NodeMetricsPortIT {
    private static final Pattern METRICS_URL = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:(\\d+)/metrics)");

    @TempDir
    Path data;

    @Test
    void portZeroBindsAFreePortAndPrintsTheRealOne() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 1)) {
            cluster.launch(
                    "n1",
                    "node",
                    "--id",
                    "n1",
                    "--listen",
                    NodeProcesses.hostPort(cluster.addresses.get("n1")),
                    "--peers",
                    "n2=127.0.0.1:" + NodeProcesses.freePort(),
                    "--data",
                    data.resolve("n1").toString(),
                    "--metrics-port",
                    "0",
                    "--bootstrap");
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> METRICS_URL.matcher(cluster.output("n1")).find());
            Matcher url = METRICS_URL.matcher(cluster.output("n1"));
            assertThat(url.find()).isTrue();
            assertThat(Integer.parseInt(url.group(2))).as(cluster.output("n1")).isPositive();

            HttpResponse<String> scrape = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url.group(1)))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("raftlog_role{node=\"n1\",}");
        }
    }
}
