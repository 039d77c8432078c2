package io.raftlog.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link KvStateMachine}: writes applied in offset order, results per offset, bad records, snapshots. */
class KvStateMachineTest {
    private final KvStateMachine machine = new KvStateMachine();
    private long offset;

    private long apply(KvWrite write) {
        return apply(write.encode());
    }

    private long apply(Bytes payload) {
        machine.apply(new CommittedRecord(++offset, payload));
        return offset;
    }

    @Test
    void putsDeletesAndCompareAndSetsChangeTheMapInOffsetOrder() {
        long put = apply(new KvWrite.Put("colour", "red"));
        long swap = apply(new KvWrite.CompareAndSet("colour", "red", "green"));
        long noSwap = apply(new KvWrite.CompareAndSet("colour", "red", "blue"));
        long ifAbsent = apply(new KvWrite.CompareAndSet("size", null, "large"));
        long delete = apply(new KvWrite.Delete("colour"));

        assertThat(machine.get("colour")).isEmpty();
        assertThat(machine.get("size")).contains("large");
        assertThat(machine.resultAt(put)).contains(KvResult.WRITTEN);
        assertThat(machine.resultAt(swap)).contains(new KvResult.Swapped(true));
        assertThat(machine.resultAt(noSwap)).contains(new KvResult.Swapped(false));
        assertThat(machine.resultAt(ifAbsent)).contains(new KvResult.Swapped(true));
        assertThat(machine.resultAt(delete)).contains(KvResult.WRITTEN);
        assertThat(machine.appliedOffset()).isEqualTo(delete);
    }

    @Test
    void aCompareAndSetExpectingAbsenceFailsOnAKeyThatIsThere() {
        apply(new KvWrite.Put("k", "v"));
        long cas = apply(new KvWrite.CompareAndSet("k", null, "w"));

        assertThat(machine.resultAt(cas)).contains(new KvResult.Swapped(false));
        assertThat(machine.get("k")).contains("v");
    }

    @Test
    void aRecordThatIsNotAWriteIsRejectedAndChangesNothing() {
        apply(new KvWrite.Put("k", "v"));
        long foreign = apply(Bytes.ofUtf8("hello from raftlog produce"));
        long later = apply(new KvWrite.Put("k", "w"));

        assertThat(machine.resultAt(foreign))
                .hasValueSatisfying(result -> assertThat(result)
                        .isInstanceOfSatisfying(
                                KvResult.Rejected.class,
                                rejected -> assertThat(rejected.reason()).contains("format version 1")));
        assertThat(machine.get("k"))
                .as("the records after a bad one are still applied")
                .contains("w");
        assertThat(machine.rejectedWrites()).isEqualTo(1);
        assertThat(machine.appliedOffset()).isEqualTo(later);
    }

    @Test
    void onlyTheLatestResultsAreKept() {
        KvStateMachine small = new KvStateMachine(2);
        for (long at = 1; at <= 3; at++) {
            small.apply(new CommittedRecord(at, new KvWrite.Put("k", "v" + at).encode()));
        }
        assertThat(small.resultAt(1)).isEmpty();
        assertThat(small.resultAt(2)).isPresent();
        assertThat(small.resultAt(3)).isPresent();
        assertThat(small.resultAt(4)).as("not applied yet").isEmpty();
    }

    @Test
    void aSnapshotRestoresTheMapAndItsOffsetOnAnotherMachine() throws IOException {
        apply(new KvWrite.Put("a", "1"));
        apply(new KvWrite.Put("b", ""));
        apply(new KvWrite.Put("ключ", "значение ✓"));
        KvStateMachine.Snapshot snapshot = machine.snapshot();
        apply(new KvWrite.Put("after", "the snapshot"));

        KvStateMachine restored = new KvStateMachine();
        restored.restore(new ByteArrayInputStream(bytes(snapshot)));

        assertThat(restored.get("a")).contains("1");
        assertThat(restored.get("b")).contains("");
        assertThat(restored.get("ключ")).contains("значение ✓");
        assertThat(restored.get("after"))
                .as("captured when snapshot() was called")
                .isEmpty();
        assertThat(restored.size()).isEqualTo(3);
        assertThat(restored.appliedOffset()).isEqualTo(3);
    }

    @Test
    void restoreReplacesTheWholeStateAndForgetsResults() throws IOException {
        byte[] empty = bytes(new KvStateMachine().snapshot());
        long put = apply(new KvWrite.Put("k", "v"));

        machine.restore(new ByteArrayInputStream(empty));

        assertThat(machine.get("k")).isEmpty();
        assertThat(machine.resultAt(put)).isEmpty();
        assertThat(machine.appliedOffset()).isZero();
    }

    @Test
    void restoreRefusesWhatIsNotAKeyValueSnapshotOfThisVersion() throws IOException {
        apply(new KvWrite.Put("k", "v"));
        byte[] good = bytes(machine.snapshot());

        assertThatThrownBy(() -> machine.restore(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no key-value state");
        assertThatThrownBy(() -> machine.restore(new ByteArrayInputStream("not a snapshot".getBytes())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a key-value snapshot");
        byte[] newer = good.clone();
        newer[4] = 2;
        assertThatThrownBy(() -> machine.restore(new ByteArrayInputStream(newer)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format version 2");
        assertThatThrownBy(() -> machine.restore(new ByteArrayInputStream(Arrays.copyOf(good, good.length - 1))))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> machine.restore(new ByteArrayInputStream(Arrays.copyOf(good, good.length + 1))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bytes after");
        assertThat(machine.get("k"))
                .as("a refused restore leaves the state as it was")
                .isEqualTo(Optional.of("v"));
    }

    private static byte[] bytes(KvStateMachine.Snapshot snapshot) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        snapshot.writeTo(out);
        return out.toByteArray();
    }
}
