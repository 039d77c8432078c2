package io.raftlog.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.raftlog.transport.netty.internal.Frame;
import io.raftlog.transport.netty.internal.FrameDecoder;
import io.raftlog.transport.netty.internal.FrameEncoder;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** A blocking socket that speaks (or deliberately breaks) the wire protocol, for tests. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawConnection(InetSocketAddress address, Duration readTimeout) {
        try {
            socket = new Socket();
            socket.connect(address, 2000);
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawConnection(InetSocketAddress address) {
        this(address, Duration.ofSeconds(5));
    }

    /** The bytes of {@code frame} as it goes on the wire. */
    static byte[] bytes(Frame frame) {
        ByteBuf buffer = Unpooled.buffer();
        try {
            FrameEncoder.write(frame, buffer);
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        } finally {
            buffer.release();
        }
    }

    void send(Frame frame) {
        write(bytes(frame));
    }

    void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes, ignoring a connection the other side already closed. Returns whether all was written. */
    boolean tryWrite(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads one frame, or fails on timeout or end of stream. */
    Frame read() {
        try {
            int length = in.readInt();
            byte[] rest = new byte[length];
            in.readFully(rest);
            ByteBuf body = Unpooled.wrappedBuffer(rest, 2, length - 2);
            try {
                return FrameDecoder.decodeBody(rest[1] & 0xff, body);
            } finally {
                body.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the other side closes the connection (end of stream or reset) within the read timeout. */
    boolean closedByPeer() {
        try {
            InputStream input = socket.getInputStream();
            byte[] sink = new byte[4096];
            while (true) {
                if (input.read(sink) < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Half-closes: tells the node nothing more is coming. */
    void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            socket.setSoLinger(true, 0); // reset rather than leave TIME_WAIT behind
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
