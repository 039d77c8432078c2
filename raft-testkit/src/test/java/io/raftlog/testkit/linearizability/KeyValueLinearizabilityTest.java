package io.raftlog.testkit.linearizability;

import static io.raftlog.testkit.linearizability.RegisterModel.ok;
import static io.raftlog.testkit.linearizability.RegisterModel.swapped;
import static io.raftlog.testkit.linearizability.RegisterModel.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.testkit.linearizability.KeyValueModel.Op;
import io.raftlog.testkit.linearizability.LinearizabilityChecker.Budget;
import io.raftlog.testkit.linearizability.LinearizabilityResult.Verdict;
import io.raftlog.testkit.linearizability.RegisterModel.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link KeyValueModel}: each key is its own register, checked on its own. */
class KeyValueLinearizabilityTest {
    private final KeyValueModel<String, Integer> model = new KeyValueModel<>();

    private static Operation<Op<String, Integer>, Result<Integer>> completed(
            int process, Op<String, Integer> input, Result<Integer> output, long invoke, long ret) {
        return Operation.completed(process, input, invoke, output, ret);
    }

    @Test
    void keysAreIndependentAndAbsentKeysReadAsNull() {
        var result = LinearizabilityChecker.check(
                model,
                List.of(
                        completed(1, KeyValueModel.put("x", 1), ok(), 0, 1),
                        completed(2, KeyValueModel.get("y"), value(null), 2, 3),
                        completed(2, KeyValueModel.cas("y", null, 5), swapped(true), 4, 5),
                        completed(1, KeyValueModel.get("x"), value(1), 6, 7),
                        completed(1, KeyValueModel.get("y"), value(5), 8, 9)));

        assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(result.explanation()).contains("on 2 objects");
    }

    @Test
    void aViolationNamesItsKey() {
        var result = LinearizabilityChecker.check(
                model,
                List.of(
                        completed(1, KeyValueModel.put("x", 1), ok(), 0, 1),
                        completed(1, KeyValueModel.put("y", 1), ok(), 2, 3),
                        completed(2, KeyValueModel.get("x"), value(1), 4, 5),
                        completed(2, KeyValueModel.get("y"), value(null), 6, 7)));

        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.explanation())
                .startsWith("not linearizable (object y)")
                .contains("#3 p2 y.get() -> null  [6, 7]");
    }

    /**
     * Twelve keys, each with twelve puts that all overlap and a read nobody can explain: one
     * object at a time the search is 12 × 2^12 configurations per key; all together it would be
     * 2^144. The budget proves the partitioning happened.
     */
    @Test
    void partitioningKeepsManyKeysAsCheapAsOne() {
        List<Operation<Op<String, Integer>, Result<Integer>>> ops = new ArrayList<>();
        for (int key = 0; key < 12; key++) {
            for (int v = 1; v <= 12; v++) {
                ops.add(completed(v, KeyValueModel.put("k" + key, v), ok(), v, 1000));
            }
            ops.add(completed(0, KeyValueModel.get("k" + key), value(key == 11 ? -1 : 12), 2000, 2001));
        }

        var result = LinearizabilityChecker.check(model, ops, Budget.ofSteps(5_000_000));

        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.explanation()).startsWith("not linearizable (object k11)");
    }
}
