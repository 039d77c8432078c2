package io.raftlog.examples.kv;

import io.raftlog.api.CommittedRecord;
import io.raftlog.api.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A string-to-string map built from the log: each committed record is a {@link KvWrite} (put,
 * delete or compare-and-set), applied in offset order, so every node that applies the same log
 * holds the same map. Register one with each node ({@code RaftNode}'s constructor, or bind it as
 * {@link StateMachine} next to {@code RaftModule}); {@link KvStore} then serves reads and writes
 * on that node.
 *
 * <p><b>Results.</b> Applying a record has a result the proposer must learn (did the
 * compare-and-set swap?). The log only tells a proposer the offset, so the machine keeps the
 * result of each of the last {@code resultsKept} offsets applied for {@link #resultAt} to answer;
 * a node completes an append's future right after applying the record, so a proposer on this node
 * finds it there. Results are not in snapshots: they matter only for a moment.
 *
 * <p><b>Bad records.</b> A record that does not decode (another producer's, a newer format) is
 * recorded as {@link KvResult.Rejected} and changes nothing. It never throws: {@code apply}
 * throwing would stop the node, and every other node at the same record — one bad append would
 * take the whole cluster down.
 *
 * <p><b>Threads.</b> The node calls {@code apply}, {@code snapshot} and {@code restore} on its
 * event loop, one at a time. {@link #get}, {@link #resultAt}, {@link #appliedOffset} and
 * {@link #size} may be called from any thread: the map is a {@link ConcurrentHashMap} that only the
 * event loop writes, and a restore swaps in a whole new one.
 *
 * <p><b>Snapshot format</b> (version 1): the magic {@code "RLKV"}, a version byte, the offset
 * applied last (8 bytes), the number of keys (4 bytes), then each key and value in key order as a
 * 4-byte length and that many bytes of UTF-8. Writing it copies the map on the event loop first
 * (the SPI's rule: capture now, write later), which costs O(keys) per snapshot — fine for the
 * example, and the place to start for a store with millions of keys (a persistent map would make
 * the copy O(1)).
 */
public final class KvStateMachine implements StateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
    /** "RLKV": what a snapshot of this machine starts with. */
    static final int SNAPSHOT_MAGIC = 0x524C4B56;

    static final int SNAPSHOT_VERSION = 1;
    /** How many recent results {@link #KvStateMachine()} keeps. */
    public static final int DEFAULT_RESULTS_KEPT = 65_536;

    private final int resultsKept;
    private volatile ConcurrentHashMap<String, String> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, KvResult> results = new ConcurrentHashMap<>();
    /** The offsets in {@link #results}, oldest first; touched only by the event loop. */
    private final ArrayDeque<Long> resultOrder = new ArrayDeque<>();

    private volatile long appliedOffset;
    private volatile long rejectedWrites;

    /** An empty map keeping the last {@value #DEFAULT_RESULTS_KEPT} results. */
    public KvStateMachine() {
        this(DEFAULT_RESULTS_KEPT);
    }

    /** An empty map keeping the last {@code resultsKept} results (at least 1). */
    public KvStateMachine(int resultsKept) {
        if (resultsKept < 1) {
            throw new IllegalArgumentException("resultsKept must be at least 1, was " + resultsKept);
        }
        this.resultsKept = resultsKept;
    }

    @Override
    public void apply(CommittedRecord record) {
        KvResult result;
        try {
            result = execute(KvWrite.decode(record.payload()));
        } catch (MalformedWriteException malformed) {
            rejectedWrites++;
            LOG.debug("record at offset {} is not a key-value write: {}", record.offset(), malformed.getMessage());
            result = new KvResult.Rejected(malformed.getMessage());
        }
        remember(record.offset(), result);
        appliedOffset = record.offset();
    }

    private KvResult execute(KvWrite write) {
        ConcurrentHashMap<String, String> map = entries;
        if (write instanceof KvWrite.Put put) {
            map.put(put.key(), put.value());
            return KvResult.WRITTEN;
        }
        if (write instanceof KvWrite.Delete delete) {
            map.remove(delete.key());
            return KvResult.WRITTEN;
        }
        KvWrite.CompareAndSet cas = (KvWrite.CompareAndSet) write;
        boolean swapped = Objects.equals(map.get(cas.key()), cas.expected());
        if (swapped) {
            map.put(cas.key(), cas.update());
        }
        return new KvResult.Swapped(swapped);
    }

    private void remember(long offset, KvResult result) {
        results.put(offset, result);
        resultOrder.addLast(offset);
        while (resultOrder.size() > resultsKept) {
            results.remove(resultOrder.pollFirst());
        }
    }

    /** The value of {@code key} after the records applied so far; empty if it is absent. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(entries.get(Objects.requireNonNull(key, "key")));
    }

    /**
     * The result of the record at {@code offset}; empty if this machine has not applied it, has
     * applied too many records since, or restored a snapshot past it (then only a read of the key
     * tells what the write did).
     */
    public Optional<KvResult> resultAt(long offset) {
        return Optional.ofNullable(results.get(offset));
    }

    /** The offset of the last record applied or restored (0 if none). */
    public long appliedOffset() {
        return appliedOffset;
    }

    /** How many keys the map holds. */
    public int size() {
        return entries.size();
    }

    /** How many records applied since this machine was created were not key-value writes. */
    public long rejectedWrites() {
        return rejectedWrites;
    }

    @Override
    public Snapshot snapshot() {
        TreeMap<String, String> copy = new TreeMap<>(entries);
        long offset = appliedOffset;
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(SNAPSHOT_MAGIC);
            data.writeByte(SNAPSHOT_VERSION);
            data.writeLong(offset);
            data.writeInt(copy.size());
            for (Map.Entry<String, String> entry : copy.entrySet()) {
                writeText(data, entry.getKey());
                writeText(data, entry.getValue());
            }
            data.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int magic;
        try {
            magic = data.readInt();
        } catch (EOFException e) {
            throw new IOException(
                    "the snapshot holds no key-value state (was it taken by a node without"
                            + " KvStateMachine?): refusing to start from an empty map that would miss its records",
                    e);
        }
        if (magic != SNAPSHOT_MAGIC) {
            throw new IOException(
                    "not a key-value snapshot: it starts with 0x" + Integer.toHexString(magic) + ", not \"RLKV\"");
        }
        int version = data.readUnsignedByte();
        if (version != SNAPSHOT_VERSION) {
            throw new IOException("key-value snapshot of format version " + version + "; this code reads version "
                    + SNAPSHOT_VERSION + " only");
        }
        long offset = data.readLong();
        int count = data.readInt();
        if (count < 0 || offset < 0) {
            throw new IOException("corrupt key-value snapshot: " + count + " keys up to offset " + offset);
        }
        ConcurrentHashMap<String, String> restored = new ConcurrentHashMap<>(Math.min(count, 1 << 20));
        for (int i = 0; i < count; i++) {
            restored.put(readText(data), readText(data));
        }
        if (data.read() != -1) {
            throw new IOException("corrupt key-value snapshot: bytes after its " + count + " keys");
        }
        entries = restored;
        results.clear();
        resultOrder.clear();
        appliedOffset = offset;
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readText(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("corrupt key-value snapshot: a string of length " + length);
        }
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length < length) {
            throw new EOFException("corrupt key-value snapshot: it ends inside a string of " + length + " bytes");
        }
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
