package io.raftlog.transport.netty.internal;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/** The first handlers of every connection: framing, and for most of them flush consolidation. */
public final class Pipelines {
    /** Flushes a burst of writes in one syscall; read-complete flushes at once. */
    private static final int FLUSHES_TO_CONSOLIDATE = 256;

    private Pipelines() {}

    /** Flush consolidation and framing: inbound peer connections, the client service, and clients. */
    public static ChannelPipeline framing(ChannelPipeline pipeline, int maxFrameBytes) {
        return pipeline.addLast("flush", new FlushConsolidationHandler(FLUSHES_TO_CONSOLIDATE, true))
                .addLast("decoder", new FrameDecoder(maxFrameBytes))
                .addLast("encoder", new FrameEncoder());
    }

    /**
     * Framing only, without flush consolidation: for the connections a peer link opens, which
     * already flush once per burst and read nothing but the handshake answer, so deferring their
     * flushes to a later task would only add latency.
     */
    public static ChannelPipeline framingOnly(ChannelPipeline pipeline, int maxFrameBytes) {
        return pipeline.addLast("decoder", new FrameDecoder(maxFrameBytes)).addLast("encoder", new FrameEncoder());
    }
}
