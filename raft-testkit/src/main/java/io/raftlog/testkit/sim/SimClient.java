package io.raftlog.testkit.sim;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The simulated producer. It appends records with unique payloads and learns each outcome the way
 * a real driver would tell it: the node that accepted a record applies its index and finds the
 * record there (acknowledged) or another entry (a definite failure, so the record is retried). If
 * that node crashes first, the outcome is unknown to the client; the record is then only tracked,
 * through the committed log, so the run can check it never appears twice.
 */
final class SimClient {
    /** One record accepted by a leader and not yet resolved. */
    record Pending(NodeId node, int incarnation, long index, long term, Bytes payload, boolean mustCommit) {}

    private final SafetyChecker checker;
    private final List<Pending> pending = new ArrayList<>();
    /** Records refused or superseded that must be appended again (those appended after the faults). */
    private final List<Bytes> retry = new ArrayList<>();

    private final List<Bytes> calmRecords = new ArrayList<>();
    private long nextRecord;
    long acknowledged;
    NodeId target;

    SimClient(SafetyChecker checker, NodeId initialTarget) {
        this.checker = checker;
        this.target = initialTarget;
    }

    /** The next records to append: retries first, then fresh ones. */
    List<Bytes> nextBatch(int size, long seed, boolean calm) {
        List<Bytes> batch = new ArrayList<>(retry);
        retry.clear();
        while (batch.size() < size) {
            Bytes record = Bytes.ofUtf8("s" + seed + "-r" + nextRecord++);
            if (calm) {
                calmRecords.add(record);
            }
            batch.add(record);
        }
        return batch;
    }

    /** The batch was refused definitely (not leader, overloaded): it is not in the log. */
    void refused(List<Bytes> batch, boolean calm) {
        for (Bytes record : batch) {
            if (calm || calmRecords.contains(record)) {
                retry.add(record);
            }
        }
    }

    void accepted(NodeId node, int incarnation, long firstIndex, long term, List<Bytes> batch) {
        long index = firstIndex;
        for (Bytes record : batch) {
            pending.add(new Pending(node, incarnation, index++, term, record, calmRecords.contains(record)));
        }
    }

    /** {@code node} (in life {@code incarnation}) applied {@code entries}: resolve what it accepted. */
    void applied(NodeId node, int incarnation, List<LogEntry> entries) {
        long from = entries.get(0).index();
        long to = entries.get(entries.size() - 1).index();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending record = it.next();
            if (!record.node().equals(node)
                    || record.incarnation() != incarnation
                    || record.index() < from
                    || record.index() > to) {
                continue;
            }
            it.remove();
            LogEntry entry = entries.get((int) (record.index() - from));
            if (entry.term() == record.term()) {
                if (!entry.payload().equals(record.payload())) {
                    throw new IllegalStateException(
                            "entry " + entry + " has the accepted term but another payload than " + record.payload());
                }
                checker.onAcknowledged(record.index(), record.payload());
                acknowledged++;
            } else if (record.mustCommit()) {
                retry.add(record.payload()); // definitely not at that index: safe to append again
            }
        }
    }

    /** {@code node} crashed: what it accepted now has an unknown outcome for the client. */
    void crashed(NodeId node) {
        pending.removeIf(record -> record.node().equals(node));
    }

    /** Records appended after the faults that are not acknowledged yet. */
    List<Bytes> unacknowledgedCalmRecords() {
        List<Bytes> missing = new ArrayList<>(retry);
        for (Pending record : pending) {
            if (record.mustCommit()) {
                missing.add(record.payload());
            }
        }
        return missing;
    }
}
