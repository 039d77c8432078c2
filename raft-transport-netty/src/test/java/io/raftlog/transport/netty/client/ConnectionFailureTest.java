package io.raftlog.transport.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.RaftException;
import io.raftlog.transport.netty.Futures;
import io.raftlog.transport.netty.Loopback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a client says when it cannot talk to a node: each way a connection fails keeps its own
 * words, with the address, on epoll and on NIO.
 */
class ConnectionFailureTest {
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void theStatusOfAPortWhereNothingListensSaysTheConnectionWasRefused(boolean epoll) {
        InetSocketAddress nobody = Loopback.address(Loopback.freePort());
        RaftClient client = client(nobody, epoll);

        assertThat(Futures.failure(client.status(nobody)))
                .isExactlyInstanceOf(RaftException.class)
                .hasMessage("connection to 127.0.0.1:" + nobody.getPort() + " refused (is a node listening there?)");
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void anAppendToAPortWhereNothingListensSaysTheConnectionWasRefused(boolean epoll) {
        InetSocketAddress nobody = Loopback.address(Loopback.freePort());
        RaftClient client = client(nobody, epoll, Duration.ofMillis(500)); // retried until then

        assertThat(Futures.failure(client.append(Bytes.ofUtf8("x"))))
                .isExactlyInstanceOf(RaftException.class)
                .hasMessageStartingWith("the append reached no node")
                .hasMessageEndingWith("last error: connection to 127.0.0.1:" + nobody.getPort()
                        + " refused (is a node listening there?)");
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void aConnectionResetByTheOtherEndSaysReset(boolean epoll) {
        InetSocketAddress resetting = server(socket -> {
            try {
                socket.getInputStream().read(); // the client's hello has arrived
                socket.setSoLinger(true, 0); // close with a RST
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        RaftClient client = client(resetting, epoll);

        assertThat(Futures.failure(client.status(resetting)))
                .isExactlyInstanceOf(RaftException.class)
                .hasMessage("connection to 127.0.0.1:" + resetting.getPort() + " was reset by the other end");
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void aConnectionClosedByTheOtherEndBeforeTheHandshakeSaysClosed(boolean epoll) {
        InetSocketAddress closing = server(socket -> {
            try {
                socket.getInputStream().read();
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        RaftClient client = client(closing, epoll);

        assertThat(Futures.failure(client.status(closing)))
                .isExactlyInstanceOf(RaftException.class)
                .hasMessage("connection to 127.0.0.1:" + closing.getPort() + " was closed by the other end");
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void aListenerThatNeverAnswersTheHelloSaysSo(boolean epoll) {
        InetSocketAddress silent = server(socket -> {});
        RaftClient client = client(silent, epoll);

        assertThat(Futures.failure(client.status(silent)))
                .isExactlyInstanceOf(RaftException.class)
                .hasMessage("connection to 127.0.0.1:" + silent.getPort()
                        + " failed: no answer to the hello within 300 ms");
    }

    @org.junit.jupiter.api.Test
    void aConnectTimeoutSaysTimedOutWithTheConnectTimeout() {
        // A connect that times out needs an address that swallows SYNs, which a test cannot count
        // on; the words are checked on the exception Netty raises then.
        InetSocketAddress far = new InetSocketAddress("10.255.255.1", 7001);
        RaftClientConfig config =
                RaftClientConfig.of(Loopback.CLUSTER, List.of(far)).withConnectTimeout(Duration.ofMillis(300));

        assertThat(ClientConnection.describe(
                        far,
                        null,
                        new io.netty.channel.ConnectTimeoutException("connection timed out after 300 ms: " + far),
                        config))
                .isEqualTo("connection to 10.255.255.1:7001 timed out after 300 ms");
    }

    /** A listener on a free loopback port that hands each accepted socket to {@code session}. */
    private InetSocketAddress server(Consumer<Socket> session) {
        try {
            ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            resources.add(server);
            Thread acceptor = new Thread(
                    () -> {
                        while (!server.isClosed()) {
                            try {
                                Socket socket = server.accept();
                                resources.add(socket);
                                session.accept(socket);
                            } catch (IOException | UncheckedIOException closed) {
                                return;
                            }
                        }
                    },
                    "test-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            return new InetSocketAddress("127.0.0.1", server.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RaftClient client(InetSocketAddress seed, boolean epoll) {
        return client(seed, epoll, Duration.ofSeconds(10));
    }

    private RaftClient client(InetSocketAddress seed, boolean epoll, Duration requestTimeout) {
        RaftClientConfig defaults = RaftClientConfig.of(Loopback.CLUSTER, List.of(seed));
        RaftClient client = new RaftClient(new RaftClientConfig(
                defaults.clusterId(),
                defaults.seeds(),
                requestTimeout,
                defaults.attemptTimeout(),
                defaults.maxInFlightRequests(),
                defaults.linger(),
                defaults.maxBatchRecords(),
                defaults.maxBatchBytes(),
                Duration.ofMillis(5),
                Duration.ofMillis(50),
                Duration.ofMillis(300),
                defaults.maxFrameBytes(),
                epoll,
                null));
        resources.add(0, client);
        return client;
    }
}
