package io.raftlog.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.openqa.selenium.json.Json;

/** A test's client of a running console's JSON API, as the page talks to it. */
final class ConsoleApi {
    record Reply(int status, String body, HttpResponse<String> response) {
        Map<String, Object> json() {
            return new Json().toType(body, Json.MAP_TYPE);
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse("");
        }
    }

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ConsoleApi(URI base) {
        this.base = base;
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Reply post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code POST /api/action?verb=…&arg=…}, expecting it done; returns what the console says it did. */
    String act(String verb, String... args) throws IOException, InterruptedException {
        Reply reply = post(actionPath(verb, args));
        assertThat(reply.status())
                .as(verb + " " + List.of(args) + ": " + reply.body())
                .isEqualTo(200);
        return (String) reply.json().get("ok");
    }

    static String actionPath(String verb, String... args) {
        StringBuilder path = new StringBuilder("/api/action?verb=").append(encode(verb));
        for (String arg : args) {
            path.append("&arg=").append(encode(arg));
        }
        return path.toString();
    }

    /** The {@code view} of {@code GET /api/state}. */
    @SuppressWarnings("unchecked")
    Map<String, Object> view() throws IOException, InterruptedException {
        Reply reply = get("/api/state");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return (Map<String, Object>) reply.json().get("view");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> nodes(Map<String, Object> view) {
        return (List<Map<String, Object>>) view.get("nodes");
    }

    static Map<String, Object> node(Map<String, Object> view, String id) {
        return nodes(view).stream()
                .filter(node -> node.get("id").equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no node " + id + " in " + view));
    }

    static Optional<String> leader(Map<String, Object> view) {
        return nodes(view).stream()
                .filter(node -> Boolean.TRUE.equals(node.get("up")) && "leader".equals(node.get("role")))
                .map(node -> (String) node.get("id"))
                .findFirst();
    }

    static long number(Map<String, Object> node, String field) {
        return ((Number) node.get(field)).longValue();
    }

    /**
     * Steps the run ({@code POST /api/step}: up to the next thing worth showing) until the view
     * satisfies {@code condition}; fails if a thousand steps do not get there.
     */
    Map<String, Object> stepUntil(String what, Predicate<Map<String, Object>> condition)
            throws IOException, InterruptedException {
        Map<String, Object> view = view();
        for (int i = 0; i < 1_000 && !condition.test(view); i++) {
            Reply step = post("/api/step");
            assertThat(step.status()).as(step.body()).isEqualTo(200);
            view = view();
        }
        assertThat(condition).as(what + "; the cluster: " + view).accepts(view);
        return view;
    }

    /** The timeline's texts, newest first, of the given kinds (comma-separated; empty: all). */
    @SuppressWarnings("unchecked")
    List<String> timeline(String kinds) throws IOException, InterruptedException {
        Reply reply = get("/api/timeline?limit=500&kinds=" + encode(kinds));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<Map<String, Object>> entries = new Json().toType(reply.body(), List.class);
        return entries.stream().map(entry -> (String) entry.get("text")).toList();
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body(), response);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
