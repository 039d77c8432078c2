package io.raftlog.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * Plain TCP forwarders between the peer ports of real node processes, one listening port per
 * directed link ({@code n1 -> n2} is where n1 reaches n2), so a test can cut a node off from its
 * peers while clients still reach it on its own port. Start each node with
 * {@code --peers} from {@link #peersOf}; {@link #cut} closes the live connections of every link to
 * and from a node and refuses new ones (accepted, then closed at once) until {@link #restore}.
 * Peer connections carry frames one way, so a node cut off neither hears nor is heard.
 */
final class PeerLinkProxy implements AutoCloseable {
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "peer-link-proxy");
        thread.setDaemon(true);
        return thread;
    });

    /** Links between every ordered pair of {@code nodes} (id to its own listen address). */
    PeerLinkProxy(Map<String, InetSocketAddress> nodes) throws IOException {
        for (String from : nodes.keySet()) {
            for (Map.Entry<String, InetSocketAddress> to : nodes.entrySet()) {
                if (!to.getKey().equals(from)) {
                    Link link = new Link(from, to.getKey(), to.getValue());
                    links.put(from + "->" + to.getKey(), link);
                    threads.execute(link::acceptLoop);
                }
            }
        }
    }

    /** {@code --peers} for node {@code id}: every other node at the port of its link from {@code id}. */
    String peersOf(String id) {
        return links.values().stream()
                .filter(link -> link.from.equals(id))
                .map(link -> link.to + "=" + NodeProcesses.hostPort(link.address()))
                .collect(Collectors.joining(","));
    }

    /** Cuts every link to and from {@code node}: live connections close, new ones are refused. */
    void cut(String node) {
        links.values().stream().filter(link -> link.touches(node)).forEach(Link::cut);
    }

    /** Lets connections through {@code node}'s links again. */
    void restore(String node) {
        links.values().stream().filter(link -> link.touches(node)).forEach(Link::restore);
    }

    @Override
    public void close() {
        links.values().forEach(Link::close);
        threads.shutdownNow();
    }

    /** One directed link: a listening socket whose connections are forwarded to {@code target}. */
    private final class Link {
        final String from;
        final String to;
        private final InetSocketAddress target;
        private final ServerSocket server;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private volatile boolean cut;

        Link(String from, String to, InetSocketAddress target) throws IOException {
            this.from = from;
            this.to = to;
            this.target = target;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }

        InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress().getHostAddress(), server.getLocalPort());
        }

        boolean touches(String node) {
            return from.equals(node) || to.equals(node);
        }

        void acceptLoop() {
            while (!server.isClosed()) {
                Socket inbound;
                try {
                    inbound = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                if (cut) {
                    closeQuietly(inbound);
                    continue;
                }
                Socket outbound = new Socket();
                try {
                    outbound.connect(target, 2000);
                } catch (IOException e) {
                    closeQuietly(inbound); // the target is down: so is the link
                    closeQuietly(outbound);
                    continue;
                }
                synchronized (this) { // not between cut()'s flag and its closing the live connections
                    if (cut) {
                        closeQuietly(inbound);
                        closeQuietly(outbound);
                        continue;
                    }
                    open.add(inbound);
                    open.add(outbound);
                }
                threads.execute(() -> pump(inbound, outbound));
                threads.execute(() -> pump(outbound, inbound));
            }
        }

        /** Copies {@code source} to {@code sink} until either closes, then closes both. */
        private void pump(Socket source, Socket sink) {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = source.getInputStream();
                OutputStream out = sink.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // closed by cut(), close() or the other end
            } finally {
                closeQuietly(source);
                closeQuietly(sink);
                open.remove(source);
                open.remove(sink);
            }
        }

        synchronized void cut() {
            cut = true;
            for (Socket socket : open) {
                closeQuietly(socket);
            }
        }

        void restore() {
            cut = false;
        }

        void close() {
            cut();
            closeQuietly(server);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to do
        }
    }
}
