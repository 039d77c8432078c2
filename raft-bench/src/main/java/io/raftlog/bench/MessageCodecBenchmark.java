package io.raftlog.bench;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-message cost of raft-api's {@link MessageCodec} on the replication hot path: an
 * AppendEntries carrying one entry, encoded into and decoded from heap and direct buffers. The
 * transport benchmark's receiver spends most of its time here, so this isolates it from the
 * sockets and event loops.
 *
 * <pre>
 * java -jar raft-bench/target/benchmarks.jar MessageCodecBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageCodecBenchmark {
    @Param({"200"})
    int payloadBytes;

    private RaftMessage message;
    private int size;
    private ByteBuffer heap;
    private ByteBuffer direct;
    private ByteBuffer target;
    private ByteBuffer timeoutNow;

    @Setup
    public void setUp() {
        message = new AppendEntriesRequest(
                NodeId.of("node-1"),
                NodeId.of("node-2"),
                3,
                41,
                3,
                List.of(LogEntry.data(42, 3, Bytes.copyOf(new byte[payloadBytes]))),
                40);
        size = MessageCodec.encodedSize(message);
        heap = MessageCodec.encode(message);
        direct = ByteBuffer.allocateDirect(size);
        direct.put(heap.duplicate()).flip();
        target = ByteBuffer.allocateDirect(size);
        timeoutNow = MessageCodec.encode(new TimeoutNow(NodeId.of("node-1"), NodeId.of("node-2"), 3));
    }

    @Benchmark
    public RaftMessage decodeHeap() {
        heap.position(0);
        return MessageCodec.decode(heap);
    }

    @Benchmark
    public RaftMessage decodeDirect() {
        direct.position(0);
        return MessageCodec.decode(direct);
    }

    /** Little more than the two node ids: what every message pays before its own fields. */
    @Benchmark
    public RaftMessage decodeTimeoutNow() {
        timeoutNow.position(0);
        return MessageCodec.decode(timeoutNow);
    }

    @Benchmark
    public ByteBuffer encodeDirect() {
        target.clear();
        MessageCodec.encode(message, target, size);
        return target;
    }
}
