package io.raftlog.examples.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The Raft console's web server: the page (plain HTML, CSS and JavaScript from the jar, nothing
 * fetched elsewhere) and a small JSON API over the {@link ConsoleSession}, with the state pushed to
 * the page as server-sent events. It listens on the loopback interface only, and answers only
 * requests addressed to it there (a page of another site cannot drive it through DNS rebinding).
 *
 * <p>The API: {@code GET /api/state}, {@code GET /api/events} (server-sent events, one state per
 * change), {@code GET /api/timeline?node=&kinds=&limit=}, {@code GET /api/persisted?node=},
 * {@code GET /api/export?name=}, and {@code POST} to {@code /api/action?verb=&arg=…},
 * {@code /api/play}, {@code /api/pause}, {@code /api/step}, {@code /api/step-event},
 * {@code /api/speed?value=}, {@code /api/seek?step=} and {@code /api/reset?seed=&nodes=}. A request
 * that makes no sense gets status 400 and {@code {"error": "…"}} saying why.
 */
public final class ConsoleServer implements AutoCloseable {
    private static final String WEB = "/io/raftlog/examples/console/web/";
    private static final Map<String, String> PAGES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/console.css", "console.css",
            "/console.js", "console.js");

    private final ConsoleSession session;
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(task -> {
        Thread handler = new Thread(task, "raftlog-console-http");
        handler.setDaemon(true);
        return handler;
    });
    private volatile boolean closed;

    private ConsoleServer(ConsoleSession session, HttpServer server) {
        this.session = session;
        this.server = server;
    }

    /**
     * Starts a console on {@code 127.0.0.1:port} (0: any free port) with a run of {@code nodes}
     * nodes from {@code seed}.
     *
     * @throws IOException if the port cannot be bound (in use, or not allowed)
     */
    public static ConsoleServer start(int port, long seed, int nodes) throws IOException {
        // The JDK's server leaves Nagle's algorithm on: each small answer would then wait for the
        // client's delayed ACK (40 ms on Linux). Read once, when its configuration loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        ConsoleSession session = new ConsoleSession(seed, nodes);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            session.close();
            throw new IOException(
                    "cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                            + "): is another console or server using it? Choose another with --port",
                    e);
        }
        ConsoleServer console = new ConsoleServer(session, http);
        http.setExecutor(console.handlers);
        http.createContext("/", console::handle);
        http.start();
        return console;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The page's address. */
    public URI address() {
        return URI.create("http://127.0.0.1:" + port() + "/");
    }

    // ------------------------------------------------------------------ requests

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!addressedHere(exchange)) {
                send(
                        exchange,
                        403,
                        "text/plain",
                        "this console answers only requests addressed to 127.0.0.1 or localhost");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (PAGES.containsKey(path)) {
                page(exchange, PAGES.get(path));
                return;
            }
            if (!path.startsWith("/api/")) {
                send(exchange, 404, "text/plain", "no such page: " + path);
                return;
            }
            Map<String, List<String>> params = params(exchange);
            String endpoint = path.substring("/api/".length());
            boolean post = method.equals("POST");
            try {
                switch (endpoint) {
                    case "state" -> json(exchange, 200, session.with(run -> session.state()));
                    case "events" -> events(exchange);
                    case "timeline" ->
                        json(
                                exchange,
                                200,
                                session.with(run ->
                                        session.timeline(one(params, "node", ""), kinds(one(params, "kinds", "")), (int)
                                                number(params, "limit", 300))));
                    case "persisted" ->
                        json(exchange, 200, session.with(run -> run.persisted(required(params, "node"))));
                    case "export" -> export(exchange, one(params, "name", ""));
                    default -> {
                        if (!post) {
                            json(exchange, 405, Map.of("error", endpoint + " takes a POST"));
                            return;
                        }
                        String done = session.call(() -> control(endpoint, params));
                        json(exchange, 200, Map.of("ok", done));
                    }
                }
            } catch (IllegalArgumentException | IllegalStateException refused) {
                json(exchange, 400, Map.of("error", String.valueOf(refused.getMessage())));
            } catch (Exception e) {
                json(exchange, 500, Map.of("error", e.toString()));
            }
        }
    }

    private String control(String endpoint, Map<String, List<String>> params) {
        return switch (endpoint) {
            case "action" -> session.act(required(params, "verb"), params.getOrDefault("arg", List.of()));
            case "play" -> session.play(true);
            case "pause" -> session.play(false);
            case "step" -> session.step();
            case "step-event" -> session.stepEvent();
            case "speed" -> session.speed(decimal(required(params, "value")));
            case "seek" -> session.seek(number(params, "step", -1));
            case "reset" -> session.reset(number(params, "seed", 1), (int) number(params, "nodes", 3));
            default -> throw new IllegalArgumentException("no such request: " + endpoint);
        };
    }

    private void export(HttpExchange exchange, String name) throws Exception {
        String source = session.with(run ->
                run.exportTest(name.isEmpty() ? "ConsoleRunSeed" + Long.toUnsignedString(run.seed()) + "Test" : name));
        String className =
                source.substring(source.indexOf("public class ") + 13).split(" ", 2)[0];
        exchange.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + className + ".java\"");
        send(exchange, 200, "text/x-java; charset=utf-8", source);
    }

    /** Server-sent events: the state after every change, until the page goes away. */
    private void events(HttpExchange exchange) throws Exception {
        BlockingQueue<String> queue = session.listen();
        try {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().add("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            while (!closed) {
                String state = queue.poll(15, TimeUnit.SECONDS);
                if (state == null) {
                    out.write(": still here\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    String newest;
                    while ((newest = queue.poll()) != null) {
                        state = newest; // only the newest state is worth drawing
                    }
                    out.write(("data: " + state + "\n\n").getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            }
        } catch (IOException gone) {
            // the page closed or reloaded
        } finally {
            session.unlisten(queue);
        }
    }

    private boolean addressedHere(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return false;
        }
        return host.equals("127.0.0.1:" + port()) || host.equals("localhost:" + port());
    }

    private void page(HttpExchange exchange, String name) throws IOException {
        try (InputStream in = ConsoleServer.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                send(exchange, 500, "text/plain", "the jar lacks the console's " + name);
                return;
            }
            String type = name.endsWith(".html")
                    ? "text/html; charset=utf-8"
                    : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            exchange.getResponseHeaders().add("Cache-Control", "no-cache");
            exchange.getResponseHeaders()
                    .add("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'");
            byte[] body = in.readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static void json(HttpExchange exchange, int status, Object value) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", Json.write(value));
    }

    private static void send(HttpExchange exchange, int status, String type, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    // ------------------------------------------------------------------ parameters

    /** The query's parameters and, for a form POST, the body's. */
    private static Map<String, List<String>> params(HttpExchange exchange) throws IOException {
        Map<String, List<String>> params = new LinkedHashMap<>();
        parse(exchange.getRequestURI().getRawQuery(), params);
        if (exchange.getRequestMethod().equals("POST")) {
            byte[] body = exchange.getRequestBody().readNBytes(64 * 1024);
            parse(new String(body, StandardCharsets.UTF_8), params);
        }
        return params;
    }

    private static void parse(String encoded, Map<String, List<String>> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            into.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        }
    }

    private static String one(Map<String, List<String>> params, String name, String otherwise) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? otherwise : values.get(0);
    }

    private static String required(Map<String, List<String>> params, String name) {
        String value = one(params, name, null);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the request needs the parameter '" + name + "'");
        }
        return value;
    }

    private static long number(Map<String, List<String>> params, String name, long otherwise) {
        String value = one(params, name, null);
        if (value == null || value.isBlank()) {
            if (otherwise < 0) {
                throw new IllegalArgumentException("the request needs the parameter '" + name + "'");
            }
            return otherwise;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }

    private static double decimal(String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: '" + value + "'");
        }
    }

    private static Set<String> kinds(String list) {
        Set<String> kinds = new HashSet<>();
        for (String kind : list.split(",")) {
            if (!kind.isBlank()) {
                kinds.add(kind.trim());
            }
        }
        return kinds;
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        session.close();
        handlers.shutdownNow();
    }
}
