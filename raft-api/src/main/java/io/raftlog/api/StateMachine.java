package io.raftlog.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What an application builds on the log (a key-value store, an index, a materialized view): every
 * node applies the committed records to its own instance, in offset order, and the node keeps its
 * snapshots beside its own, so a restart restores the latest snapshot and applies only the records
 * after it, and a follower too far behind receives a leader's snapshot instead of the records it
 * lacks. A snapshot of the state machine is what lets a node drop the log below it.
 *
 * <p><b>Threads.</b> {@link #apply}, {@link #snapshot} and {@link #restore} are called on the node's
 * event loop, one at a time and never concurrently: keep {@code apply} quick (it holds up the
 * node), do no I/O there. {@link Snapshot#writeTo} runs on the node's snapshot thread while records
 * go on being applied, so {@link #snapshot} must capture the state as it is at that moment
 * (a copy, an immutable version, a copy-on-write view) for {@code writeTo} to write later.
 *
 * <p>Example — a counter of records per key, where each record is {@code key=value}:
 *
 * <pre>{@code
 * final class KeyCounts implements StateMachine {
 *     private Map<String, Long> counts = new HashMap<>();
 *
 *     public void apply(CommittedRecord record) {
 *         String key = record.payload().toUtf8().split("=", 2)[0];
 *         counts.merge(key, 1L, Long::sum);
 *     }
 *
 *     public Snapshot snapshot() {
 *         Map<String, Long> copy = Map.copyOf(counts); // what writeTo writes, later, elsewhere
 *         return out -> {
 *             DataOutputStream data = new DataOutputStream(out);
 *             data.writeInt(copy.size());
 *             for (var e : copy.entrySet()) { data.writeUTF(e.getKey()); data.writeLong(e.getValue()); }
 *             data.flush();
 *         };
 *     }
 *
 *     public void restore(InputStream in) throws IOException {
 *         DataInputStream data = new DataInputStream(in);
 *         Map<String, Long> restored = new HashMap<>();
 *         for (int n = data.readInt(); n > 0; n--) restored.put(data.readUTF(), data.readLong());
 *         counts = restored;
 *     }
 * }
 * }</pre>
 */
public interface StateMachine {
    /**
     * Applies one committed record; called for every data record in offset order, exactly once
     * per record after the state restored last. The payload is valid only during the call: copy
     * what you keep ({@link Bytes#copyOf(java.nio.ByteBuffer)}, {@link Bytes#toByteArray()}).
     */
    void apply(CommittedRecord record);

    /**
     * Captures the state after the last record applied, for {@link Snapshot#writeTo} to write
     * on another thread while later records are applied to the live state.
     */
    Snapshot snapshot();

    /**
     * Replaces the whole state with the one {@link Snapshot#writeTo} wrote (possibly on another
     * node). {@code in} holds exactly those bytes, already checked against their checksum.
     *
     * @throws IOException if the bytes cannot be read back into a state; the node then stops
     */
    void restore(InputStream in) throws IOException;

    /** The state as it was when {@link StateMachine#snapshot()} was called, ready to be written. */
    @FunctionalInterface
    interface Snapshot {
        /** Writes the captured state to {@code out} (buffered, checksummed and made durable by the node). */
        void writeTo(OutputStream out) throws IOException;
    }

    /** No application state: the node keeps only its own. */
    StateMachine NONE = new StateMachine() {
        @Override
        public void apply(CommittedRecord record) {}

        @Override
        public Snapshot snapshot() {
            return out -> {};
        }

        @Override
        public void restore(InputStream in) {}

        @Override
        public String toString() {
            return "StateMachine.NONE";
        }
    };
}
