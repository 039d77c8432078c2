package io.raftlog.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for tests that must know a node's address before the node binds it (a peer map).
 *
 * <p>Ports come from 20000–32767, below Linux's ephemeral range (32768–60999), so an outgoing
 * connection's local port can never take one between the check and the bind; each port is handed
 * out once per JVM, so two tests in one JVM never get the same one.
 */
public final class LoopbackPorts {
    private static final int FIRST = 20_000;
    private static final int LAST = 32_767;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private LoopbackPorts() {}

    /** A port on 127.0.0.1 that is free now and was not handed out before in this JVM. */
    public static int next() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST + 1);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException inUse) {
                // taken by another process: try another
            }
        }
        throw new IllegalStateException("no free loopback port found in " + FIRST + ".." + LAST);
    }
}
