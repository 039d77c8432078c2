package io.raftlog.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An event-loop group with the matching channel classes: Netty's native epoll transport when it is
 * wanted and available, NIO otherwise. Threads are daemons, so a forgotten close cannot keep a JVM alive.
 *
 * @param group              the event loops
 * @param socketChannel      the class of client-side channels
 * @param serverChannel      the class of listening channels
 * @param epoll              whether this is the native epoll transport
 */
public record NettyIo(
        EventLoopGroup group,
        Class<? extends Channel> socketChannel,
        Class<? extends ServerChannel> serverChannel,
        boolean epoll) {
    /** Creates {@code threads} event loops named after {@code name}. */
    public static NettyIo create(boolean useEpoll, int threads, String name) {
        DefaultThreadFactory threadFactory = new DefaultThreadFactory(name, true);
        if (useEpoll && Epoll.isAvailable()) {
            IoHandlerFactory factory = EpollIoHandler.newFactory();
            return new NettyIo(
                    new MultiThreadIoEventLoopGroup(threads, threadFactory, factory),
                    EpollSocketChannel.class,
                    EpollServerSocketChannel.class,
                    true);
        }
        IoHandlerFactory factory = NioIoHandler.newFactory();
        return new NettyIo(
                new MultiThreadIoEventLoopGroup(threads, threadFactory, factory),
                NioSocketChannel.class,
                NioServerSocketChannel.class,
                false);
    }

    /** Shuts the loops down and waits up to {@code timeout} for them to finish. */
    public void shutdown(Duration timeout) {
        group.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }
}
