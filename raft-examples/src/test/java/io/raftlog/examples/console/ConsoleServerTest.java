package io.raftlog.examples.console;

import static io.raftlog.examples.console.ConsoleApi.leader;
import static io.raftlog.examples.console.ConsoleApi.node;
import static io.raftlog.examples.console.ConsoleApi.nodes;
import static io.raftlog.examples.console.ConsoleApi.number;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's web server over real HTTP on loopback: the page and its assets, the refusals,
 * and every action of the page through the JSON API, ending with the exported test compiled and
 * run.
 */
class ConsoleServerTest {
    private ConsoleServer console;
    private ConsoleApi api;

    @BeforeEach
    void start() throws Exception {
        console = ConsoleServer.start(0, 7, 3);
        api = new ConsoleApi(console.address());
    }

    @AfterEach
    void stop() {
        console.close();
    }

    @Test
    void servesThePageAndItsAssetsFromTheJarUnderAContentSecurityPolicy() throws Exception {
        ConsoleApi.Reply page = api.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy"))
                .as("nothing but the console's own files may load or run")
                .startsWith("default-src 'self'");
        assertThat(page.body())
                .contains("<script src=\"console.js\"", "<link rel=\"stylesheet\" href=\"console.css\">");
        assertThat(page.body()).doesNotContain("http://", "https://");

        assertThat(api.get("/console.js").header("Content-Type")).startsWith("text/javascript");
        assertThat(api.get("/console.css").header("Content-Type")).startsWith("text/css");
        ConsoleApi.Reply missing = api.get("/favicon.ico");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("no such page: /favicon.ico");
    }

    @Test
    void aRequestAddressedToAnotherHostIsRefused() throws Exception {
        // What a page of another site gets through DNS rebinding: its own name in Host.
        try (Socket socket = new Socket(console.address().getHost(), console.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /api/action?verb=stop&arg=n1 HTTP/1.1\r\nHost: evil.example:80\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 403 Forbidden");
        }
        assertThat(node(api.view(), "n1").get("up")).as("nothing was done").isEqualTo(true);
        assertThat(api.view().get("actions")).asList().isEmpty();
    }

    @Test
    void aRequestThatMakesNoSenseGets400SayingWhy() throws Exception {
        assertThat(api.post(ConsoleApi.actionPath("explode", "n1")))
                .satisfies(reply -> assertThat(reply.status()).isEqualTo(400))
                .extracting(reply -> reply.json().get("error"))
                .asString()
                .startsWith("unknown action 'explode'; known: [add, append,");
        assertThat(error(api.post(ConsoleApi.actionPath("stop", "n9")))).contains("n9");
        assertThat(error(api.post(ConsoleApi.actionPath("cut", "n1")))).isEqualTo("cut takes: from to");
        assertThat(error(api.post(ConsoleApi.actionPath("corrupt", "n1", "5"))))
                .isEqualTo("n1's disk holds entries 1..0, not 5");
        assertThat(error(api.post("/api/speed?value=9"))).isEqualTo("speed is between 0.001 and 2.0, not 9.0");
        assertThat(error(api.post("/api/seek?step=50"))).isEqualTo("the run has reached steps 0..0, not 50");
        assertThat(error(api.get("/api/persisted"))).isEqualTo("the request needs the parameter 'node'");
        assertThat(error(api.get("/api/export?name=not-a-class"))).contains("Java identifier");
        ConsoleApi.Reply get = api.get("/api/play");
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.json().get("error")).isEqualTo("play takes a POST");
        assertThat(api.view().get("actions"))
                .as("a refused action is not recorded")
                .asList()
                .isEmpty();
    }

    @Test
    void playRunsTheClockAndPauseStopsIt() throws Exception {
        api.post("/api/speed?value=2");
        assertThat(api.post("/api/play").json().get("ok")).isEqualTo("playing");
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> leader(api.view()).isPresent());
        api.post("/api/pause");
        long step = number(api.view(), "step");
        // Paused, only the page's own requests move it: two reads of the state agree.
        assertThat(number(api.view(), "step")).isEqualTo(step);
    }

    @Test
    void theEventsStreamSendsTheStateAndEachChange() throws Exception {
        try (Socket socket = new Socket(console.address().getHost(), console.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + console.port() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(nextData(in)).contains("\"step\":0,");
            api.post("/api/step-event");
            assertThat(nextData(in)).contains("\"step\":1,");
        }
    }

    @Test
    void everyActionOfThePageWorksOverTheApiAndTheRunExportsAsATestThatReplaysIt(@TempDir Path dir) throws Exception {
        Map<String, Object> view =
                api.stepUntil("a leader is elected", v -> leader(v).isPresent());
        String leader = leader(view).orElseThrow();
        String follower = followers(view, leader).get(0);

        // A record sent to a follower is redirected to the leader and committed on every node.
        assertThat(api.act("append", follower, "hello")).isEqualTo("client sends \"hello\" to " + follower);
        view = api.stepUntil("the record is committed on every node", v -> committedEverywhere(v, 2));
        assertThat(api.timeline("client"))
                .anyMatch(text -> text.startsWith("redirect: " + follower + " is not the leader"))
                .anyMatch(text -> text.startsWith("\"hello\" committed at offset"));

        // Its persisted state holds the record.
        Map<String, Object> persisted =
                api.get("/api/persisted?node=" + follower).json();
        assertThat(persisted.get("entries").toString()).contains("hello");

        // Cut both of the leader's links out and stop it: another node takes over in a later term.
        api.act("cut", leader, follower);
        assertThat(api.view().get("cutLinks")).asList().containsExactly(List.of(leader, follower));
        api.act("restore", leader, follower);
        assertThat(api.view().get("cutLinks")).asList().isEmpty();
        long term = number(node(view, leader), "term");
        api.act("stop", leader);
        view = api.stepUntil(
                "another leader is elected",
                v -> leader(v).filter(id -> !id.equals(leader)).isPresent());
        String second = leader(view).orElseThrow();
        assertThat(number(node(view, second), "term")).isGreaterThan(term);
        api.act("restart", leader);
        view = api.stepUntil(
                "the old leader rejoins", v -> committedEverywhere(v, number(node(v, second), "commitIndex")));

        // A flipped byte is caught by its checksum when read, and repaired from a peer.
        String reader = followers(view, second).get(0);
        api.act("corrupt", reader, "2");
        assertThat(node(api.view(), reader).get("disk")).isEqualTo("damaged");
        api.act("read", reader, "1");
        api.stepUntil(
                "the entry is repaired", v -> "healthy".equals(node(v, reader).get("disk")));
        assertThat(api.timeline("disk")).anyMatch(text -> text.startsWith(reader + " found entry 2 corrupt"));

        // A full disk stops a node acknowledging; freed, it catches up.
        api.act("disk-full", reader);
        api.act("append", second, "while full");
        api.stepUntil("the record commits without the full node", v -> number(v, "committedIndex") >= 3);
        api.act("disk-free", reader);
        api.act("disk-cut", reader);
        api.act("disk-restore", reader);
        api.act("pause", reader, "200");
        api.stepUntil("the node comes back and catches up", v -> committedEverywhere(v, number(v, "committedIndex")));

        // Membership: add a fourth node as a learner, promote it, hand it leadership, remove another.
        assertThat(api.act("add")).startsWith("n4 started empty");
        api.stepUntil(
                "n4 is a learner",
                v -> nodes(v).size() == 4 && Boolean.TRUE.equals(node(v, "n4").get("member")));
        api.stepUntil("n4 catches up", v -> committedEverywhere(v, number(v, "committedIndex")));
        api.act("promote", "n4");
        api.stepUntil("n4 is a voter", v -> Boolean.TRUE.equals(node(v, "n4").get("voter")));
        api.act("transfer", "n4");
        view = api.stepUntil("n4 leads", v -> leader(v).equals(java.util.Optional.of("n4")));
        api.act("remove", reader);
        view = api.stepUntil(
                "the node is out", v -> !Boolean.TRUE.equals(node(v, reader).get("member")));
        assertThat(view.get("verdict")).as("no invariant broke").isNull();

        // The exported test replays all of it and lands in the same state.
        ConsoleApi.Reply export = api.get("/api/export?name=ConsoleServerRunTest");
        assertThat(export.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"ConsoleServerRunTest.java\"");
        assertThat(export.body())
                .contains("Action.of(", "\"promote\", \"n4\"", "\"corrupt\", \"" + reader + "\", \"2\"");
        ExportedTests.compileAndRun(export.body(), "ConsoleServerRunTest", dir);

        // Seek replays to an earlier step; reset starts over from a seed.
        long step = number(view, "step");
        api.post("/api/seek?step=" + step / 2);
        assertThat(number(api.view(), "step")).isEqualTo(step / 2);
        assertThat(api.get("/api/state").json().get("furthest")).isEqualTo(step);
        api.post("/api/reset?seed=9&nodes=5");
        view = api.view();
        assertThat(number(view, "seed")).isEqualTo(9);
        assertThat(nodes(view)).hasSize(5);
        assertThat(number(view, "step")).isZero();
    }

    private static String error(ConsoleApi.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        return (String) reply.json().get("error");
    }

    private static List<String> followers(Map<String, Object> view, String leader) {
        return nodes(view).stream()
                .filter(node -> Boolean.TRUE.equals(node.get("up")) && Boolean.TRUE.equals(node.get("voter")))
                .map(node -> (String) node.get("id"))
                .filter(id -> !id.equals(leader))
                .toList();
    }

    private static boolean committedEverywhere(Map<String, Object> view, long index) {
        return nodes(view).stream()
                .filter(node -> Boolean.TRUE.equals(node.get("up")))
                .allMatch(node -> number(node, "commitIndex") >= index && number(node, "lastIndex") >= index);
    }

    private static String nextData(BufferedReader in) throws java.io.IOException {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("data: ")) {
                return line;
            }
        }
        throw new AssertionError("the stream ended");
    }
}
