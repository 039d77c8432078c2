package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.raftlog.transport.netty.TlsConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS for raftlog connections: the Netty contexts built from a {@link TlsConfig}, the handler at
 * the head of each pipeline, and the identities certificates name.
 */
public final class Tls {
    /** The subjectAltName URI prefix that names a node id. */
    public static final String NODE_URI_PREFIX = "urn:raftlog:node:";
    /** The subjectAltName URI prefix that names a client principal. */
    public static final String CLIENT_URI_PREFIX = "urn:raftlog:client:";

    private static final int SAN_URI = 6;
    /** The name of the TLS handler in every pipeline that has one. */
    public static final String HANDLER = "tls";

    private Tls() {}

    /**
     * The context of a node's listener: its certificate, the CAs it trusts, and client
     * certificates asked for (peers must present one; clients must when {@code
     * requireClientCertificates}).
     */
    public static SslContext server(TlsConfig config) {
        if (!config.hasCertificate()) {
            throw new IllegalArgumentException("a node's TLS needs its certificate and private key (PEM files)");
        }
        try {
            return SslContextBuilder.forServer(
                            readable(config.certificateChain(), "certificate chain")
                                    .toFile(),
                            readable(config.privateKey(), "private key").toFile())
                    .trustManager(readable(config.trustedCertificates(), "trusted CA certificates")
                            .toFile())
                    .clientAuth(config.requireClientCertificates() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
                    .protocols(config.protocols())
                    .sslProvider(provider(config))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable(config, e);
        }
    }

    /** The context of the side that dials: a peer link, or a client. */
    public static SslContext client(TlsConfig config) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .trustManager(readable(config.trustedCertificates(), "trusted CA certificates")
                            .toFile())
                    .protocols(config.protocols())
                    .sslProvider(provider(config))
                    .endpointIdentificationAlgorithm(config.verifyHostname() ? "HTTPS" : null);
            if (config.hasCertificate()) {
                builder.keyManager(
                        readable(config.certificateChain(), "certificate chain").toFile(),
                        readable(config.privateKey(), "private key").toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable(config, e);
        }
    }

    /** The Netty provider for {@code config}'s; OpenSSL only where netty-tcnative loads. */
    static SslProvider provider(TlsConfig config) {
        if (config.provider() == TlsConfig.Provider.JDK) {
            return SslProvider.JDK;
        }
        if (!io.netty.handler.ssl.OpenSsl.isAvailable()) {
            Throwable why = io.netty.handler.ssl.OpenSsl.unavailabilityCause();
            throw new IllegalArgumentException("TLS provider OPENSSL needs io.netty:netty-tcnative-boringssl-static"
                    + " on the class path (the version Netty's BOM names), for this platform: "
                    + (why == null ? "not found" : why.toString()));
        }
        return SslProvider.OPENSSL;
    }

    private static IllegalArgumentException unusable(TlsConfig config, Exception e) {
        String message = e.getMessage() != null && e.getMessage().startsWith("TLS ")
                ? e.getMessage()
                : "TLS cannot use certificate " + config.certificateChain() + ", key " + config.privateKey()
                        + " and trusted CAs " + config.trustedCertificates() + ": " + e.getMessage()
                        + " (they must be PEM files: certificates, and a PKCS#8 key, BEGIN PRIVATE KEY)";
        return new IllegalArgumentException(message, e);
    }

    private static Path readable(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("TLS " + what + " file " + file + " does not exist or is not a file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("TLS " + what + " file " + file + " is not readable by this process");
        }
        return file;
    }

    /**
     * Puts the TLS handler of an accepted connection at the head of its pipeline, once the first
     * bytes show the other side speaks TLS. If they show plain TCP, the connection is told so in
     * plain TCP — a {@link HelloRejected} with {@link HelloRejected.Reason#TLS_REQUIRED}, which a
     * client or peer configured without TLS can read — and the pipeline then gets a {@link
     * NotSslRecordException}, which its handlers report and close the connection on.
     */
    public static void acceptWith(SslContext context, Channel channel) {
        channel.pipeline().addFirst(DETECTOR, new PlainTcpDetector(context));
    }

    private static final String DETECTOR = "tls-or-plain";

    /** Waits for a TLS record header, then makes way for the TLS handler; refuses plain TCP. */
    private static final class PlainTcpDetector extends ByteToMessageDecoder {
        /** A TLS record header: type, version, length. */
        private static final int RECORD_HEADER_BYTES = 5;

        private final SslContext context;

        PlainTcpDetector(SslContext context) {
            this.context = context;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (in.readableBytes() < RECORD_HEADER_BYTES) {
                return;
            }
            if (SslHandler.isEncrypted(in, false)) {
                // The bytes read so far go on to the TLS handler as this one leaves.
                ctx.pipeline().replace(this, HANDLER, context.newHandler(ctx.alloc()));
                return;
            }
            NotSslRecordException plain = new NotSslRecordException(
                    "not a TLS record: " + ByteBufUtil.hexDump(in, in.readerIndex(), RECORD_HEADER_BYTES));
            in.skipBytes(in.readableBytes());
            ctx.pipeline().remove(this);
            HelloRejected refusal = new HelloRejected(
                    HelloRejected.Reason.TLS_REQUIRED,
                    "this node accepts TLS connections only; configure TLS with the CA certificate that signs"
                            + " the nodes' (RaftClientConfig.withTls, NettyTransportConfig.withTls, or --tls-ca)");
            ByteBuf frame = ctx.alloc().buffer(Integer.BYTES + refusal.frameLength());
            FrameEncoder.write(refusal, frame);
            // Written from here, the head of the pipeline: unencrypted, as the other side reads.
            ctx.writeAndFlush(frame).addListener(written -> ctx.pipeline().fireExceptionCaught(plain));
        }
    }

    /**
     * Puts the TLS handler of a dialled connection at the head of its pipeline: it sends the host
     * dialled (SNI) and, with host name verification on, checks the certificate names it.
     */
    public static void dialWith(SslContext context, Channel channel, InetSocketAddress address) {
        SslHandler handler = context.newHandler(channel.alloc(), address.getHostString(), address.getPort());
        channel.pipeline().addFirst(HANDLER, handler);
    }

    /** The TLS session of {@code channel}, if it has a TLS handler. */
    public static Optional<SSLSession> session(Channel channel) {
        SslHandler handler = (SslHandler) channel.pipeline().get(HANDLER);
        return handler == null ? Optional.empty() : Optional.of(handler.engine().getSession());
    }

    /** The node ids the other side's certificate names; empty if it presented none. */
    public static List<String> nodeIds(SSLSession session) {
        return urisWithPrefix(session, NODE_URI_PREFIX);
    }

    /** The client principals the other side's certificate names; empty if it presented none. */
    public static List<String> clientPrincipals(SSLSession session) {
        return urisWithPrefix(session, CLIENT_URI_PREFIX);
    }

    /** Whether the other side presented a certificate (the TLS layer verified it against the CAs). */
    public static boolean presentedCertificate(SSLSession session) {
        try {
            return session.getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException none) {
            return false;
        }
    }

    private static List<String> urisWithPrefix(SSLSession session, String prefix) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException none) {
            return List.of();
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return List.of();
        }
        return urisWithPrefix(leaf, prefix);
    }

    /** The subjectAltName URIs of {@code certificate} that start with {@code prefix}, without it. */
    public static List<String> urisWithPrefix(X509Certificate certificate, String prefix) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (names == null) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        for (List<?> name : names) {
            if (name.size() >= 2
                    && name.get(0) instanceof Integer type
                    && type == SAN_URI
                    && name.get(1) instanceof String uri
                    && uri.startsWith(prefix)) {
                found.add(uri.substring(prefix.length()));
            }
        }
        return found;
    }

    /** What a TLS failure means for an operator, or null if {@code cause} is not one. */
    public static String describeFailure(Throwable cause) {
        boolean tls = false;
        StringBuilder chain = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.netty.handler.ssl.NotSslRecordException) {
                return "the other side does not speak TLS (plain TCP to a TLS port, or TLS to a plain one)";
            }
            if (t instanceof java.security.cert.CertificateExpiredException) {
                return "the certificate shown has expired (" + t.getMessage() + ")";
            }
            if (t instanceof java.security.cert.CertificateNotYetValidException) {
                return "the certificate shown is not valid yet (" + t.getMessage() + "); check the clocks";
            }
            if (t instanceof java.security.cert.CertPathValidatorException
                    || t instanceof java.security.cert.CertPathBuilderException) {
                return "the certificate shown is not signed by a trusted CA (" + t.getMessage() + ")";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                tls = true;
            }
            if (t.getMessage() != null) {
                if (chain.length() > 0) {
                    chain.append(": ");
                }
                chain.append(t.getMessage());
            }
        }
        if (!tls) {
            return null;
        }
        String text = chain.toString();
        if (text.contains("No subject alternative") || text.contains("No name matching")) {
            return "the certificate shown does not name the host or address dialled (" + text + ")";
        }
        if (text.contains("Empty client certificate chain") || text.contains("certificate_required")) {
            return "no certificate was presented where one is required (" + text + ")";
        }
        return "the TLS handshake failed (" + text + ")";
    }
}
