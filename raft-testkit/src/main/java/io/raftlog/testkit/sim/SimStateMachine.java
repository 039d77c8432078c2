package io.raftlog.testkit.sim;

import io.raftlog.api.CommittedRecord;
import io.raftlog.api.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An application for the simulation: a running hash of every record applied, in order. Its state
 * after a restart from a snapshot, or after installing a leader's, must equal the hash of the
 * committed records up to what it applied — which the checker knows.
 */
final class SimStateMachine implements StateMachine {
    static final long INITIAL = 17;

    long lastOffset;
    long hash = INITIAL;

    static long extend(long hash, io.raftlog.api.Bytes payload) {
        return hash * 31 + payload.hashCode();
    }

    @Override
    public void apply(CommittedRecord record) {
        if (record.offset() <= lastOffset) {
            throw new IllegalStateException("record " + record.offset() + " applied after " + lastOffset);
        }
        hash = extend(hash, record.payload());
        lastOffset = record.offset();
    }

    @Override
    public Snapshot snapshot() {
        long offset = lastOffset;
        long state = hash;
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(offset);
            data.writeLong(state);
            data.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        lastOffset = data.readLong();
        hash = data.readLong();
        if (in.read() != -1) {
            throw new IOException("trailing bytes after the state");
        }
    }
}
