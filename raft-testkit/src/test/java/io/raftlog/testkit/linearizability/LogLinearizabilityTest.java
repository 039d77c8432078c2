package io.raftlog.testkit.linearizability;

import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.append;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.appended;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.entry;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.highWatermark;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.page;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.read;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.readHighWatermark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Input;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Output;
import io.raftlog.testkit.linearizability.LinearizabilityResult.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@link AppendOnlyLogModel}'s rules, one test each. */
class LogLinearizabilityTest {
    static Operation<Input<String>, Output<String>> ok(
            int process, Input<String> input, Output<String> output, long invoke, long ret) {
        return Operation.completed(process, input, invoke, output, ret);
    }

    static Operation<Input<String>, Output<String>> info(int process, Input<String> input, long invoke) {
        return Operation.indeterminate(process, input, invoke);
    }

    @SafeVarargs
    static LinearizabilityResult<Input<String>, Output<String>> check(Operation<Input<String>, Output<String>>... ops) {
        return LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), asList(ops));
    }

    @SafeVarargs
    static Verdict checkShort(Operation<Input<String>, Output<String>>... ops) {
        return LinearizabilityChecker.check(AppendOnlyLogModel.<String>shortPagesAllowed(), asList(ops))
                .verdict();
    }

    @Nested
    class Reads {
        @Test
        void aReadThatMissesAnAppendAcknowledgedBeforeItBeganIsStale() {
            var result = check(
                    ok(1, append("a"), appended(1), 0, 1),
                    ok(2, append("b"), appended(2), 2, 3),
                    ok(3, read(1, 10), page(entry(1, "a")), 4, 5));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation())
                    .contains("at most 2 can be put in an order")
                    .contains("#0 p1 append(a) -> offset 1  [0, 1]")
                    .contains("#1 p2 append(b) -> offset 2  [2, 3]")
                    .contains("Model state then: a log of 2 records: 1:a, 2:b")
                    .contains("Next, #2 had to take effect before it returned at 5")
                    .contains("#2 p3 read(from 1, max 10) -> [1:a]  [4, 5]")
                    .contains("rejected: the log then holds [1:a, 2:b] for it");
        }

        @Test
        void anEmptyReadAfterAnAcknowledgedAppendIsStale() {
            var result = check(ok(1, append("a"), appended(1), 0, 1), ok(2, read(1, 10), page(), 2, 3));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation()).contains("rejected: the log then holds [1:a] for it");
        }

        @Test
        void aReadOverlappingAnAppendMayOrMayNotSeeIt() {
            var without = check(ok(1, append("a"), appended(1), 0, 10), ok(2, read(1, 10), page(), 2, 3));
            var with = check(ok(1, append("a"), appended(1), 0, 10), ok(2, read(1, 10), page(entry(1, "a")), 2, 3));

            assertThat(without.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(with.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void aRecordNobodyAppendedCannotBeRead() {
            var result = check(ok(1, append("a"), appended(1), 0, 1), ok(2, read(1, 10), page(entry(1, "z")), 2, 3));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void aFullPageStopsAtItsLimitAndNotBefore() {
            var a = ok(1, append("a"), appended(1), 0, 1);
            var b = ok(1, append("b"), appended(2), 2, 3);
            var c = ok(1, append("c"), appended(3), 4, 5);

            assertThat(check(a, b, c, ok(2, read(1, 2), page(entry(1, "a"), entry(2, "b")), 6, 7))
                            .verdict())
                    .isEqualTo(Verdict.LINEARIZABLE);
            assertThat(check(a, b, c, ok(2, read(1, 2), page(entry(1, "a")), 6, 7))
                            .verdict())
                    .isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void shortPagesMayEndEarlyButMustStartAtTheFirstRecordAndNotBeEmpty() {
            var a = ok(1, append("a"), appended(1), 0, 1);
            var b = ok(1, append("b"), appended(2), 2, 3);

            assertThat(checkShort(a, b, ok(2, read(1, 5), page(entry(1, "a")), 4, 5)))
                    .isEqualTo(Verdict.LINEARIZABLE);
            assertThat(checkShort(a, b, ok(2, read(1, 5), page(entry(2, "b")), 4, 5)))
                    .isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(checkShort(a, b, ok(2, read(1, 5), page(), 4, 5))).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(checkShort(a, b, ok(2, read(1, 1), page(entry(1, "a"), entry(2, "b")), 4, 5)))
                    .isEqualTo(Verdict.NOT_LINEARIZABLE);
        }
    }

    @Nested
    class Offsets {
        @Test
        void offsetsMaySkipInternalEntries() {
            var result = check(
                    ok(1, append("a"), appended(1), 0, 1),
                    ok(1, append("b"), appended(5), 2, 3),
                    ok(2, read(1, 10), page(entry(1, "a"), entry(5, "b")), 4, 5),
                    ok(2, read(2, 10), page(entry(5, "b")), 6, 7),
                    ok(2, read(6, 10), page(), 8, 9));

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void anAppendAcknowledgedBeforeAnotherBeganHasTheSmallerOffset() {
            var result = check(ok(1, append("a"), appended(5), 0, 1), ok(2, append("b"), appended(3), 2, 3));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation())
                    .contains("#0 p1 append(a) -> offset 5  [0, 1]\n"
                            + "      must come after #1 p2 append(b) -> offset 3  [2, 3] (its order key is smaller:"
                            + " Model.orderKey), which has not taken effect and was invoked only after this returned");
        }

        @Test
        void overlappingAppendsTakeEffectInOffsetOrder() {
            var result = check(ok(1, append("a"), appended(2), 0, 10), ok(2, append("b"), appended(1), 1, 9));

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.linearization()).extracting(Operation::input).containsExactly(append("b"), append("a"));
        }

        @Test
        void twoRecordsCannotShareAnOffset() {
            var result = check(ok(1, append("a"), appended(1), 0, 10), ok(2, append("b"), appended(1), 1, 9));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }
    }

    @Nested
    class HighWatermark {
        private final Operation<Input<String>, Output<String>> a = ok(1, append("a"), appended(1), 0, 1);

        @Test
        void itCoversEveryAppendAcknowledgedBeforeTheRead() {
            assertThat(check(a, ok(2, readHighWatermark(), highWatermark(0), 2, 3))
                            .verdict())
                    .isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(check(a, ok(2, readHighWatermark(), highWatermark(1), 2, 3))
                            .verdict())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void itMayPassTheLastRecordByInternalEntriesButLaterAppendsGoAboveIt() {
            var internal = ok(2, readHighWatermark(), highWatermark(7), 2, 3);

            assertThat(check(a, internal, ok(1, append("b"), appended(8), 4, 5)).verdict())
                    .isEqualTo(Verdict.LINEARIZABLE);
            var below = check(a, internal, ok(1, append("b"), appended(5), 4, 5));
            assertThat(below.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(below.explanation())
                    .contains("#1 p2 readHighWatermark() -> high watermark 7  [2, 3]\n"
                            + "      must come after #2 p1 append(b) -> offset 5  [4, 5]");
        }

        @Test
        void itNeverGoesBack() {
            var result = check(
                    a,
                    ok(2, readHighWatermark(), highWatermark(7), 2, 3),
                    ok(3, readHighWatermark(), highWatermark(5), 4, 5));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation()).contains("#2 p3 readHighWatermark() -> high watermark 5  [4, 5]");
        }

        @Test
        void aReadOverlappingAnAppendMayCountItOrNot() {
            var slow = ok(1, append("a"), appended(3), 0, 10);

            assertThat(check(slow, ok(2, readHighWatermark(), highWatermark(0), 1, 2))
                            .verdict())
                    .isEqualTo(Verdict.LINEARIZABLE);
            assertThat(check(slow, ok(2, readHighWatermark(), highWatermark(3), 1, 2))
                            .verdict())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Nested
    class IndeterminateAppends {
        @Test
        void anAppendThatTimedOutButWasReadIsTakenToHaveHappenedAtTheOffsetRead() {
            var timedOut = info(2, append("b"), 2);
            var ops = AppendOnlyLogModel.resolveIndeterminateAppends(List.of(
                    ok(1, append("a"), appended(1), 0, 1),
                    timedOut,
                    ok(3, read(1, 10), page(entry(1, "a"), entry(2, "b")), 5, 6)));

            var result = LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops);

            assertThat(ops.get(1).output()).contains(appended(2));
            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.linearization()).extracting(Operation::input).contains(append("b"));
        }

        @Test
        void anAppendThatTimedOutAndWasNeverReadIsLeftOut() {
            var ops = AppendOnlyLogModel.resolveIndeterminateAppends(List.of(
                    ok(1, append("a"), appended(1), 0, 1),
                    info(2, append("b"), 2),
                    ok(3, read(1, 10), page(entry(1, "a")), 5, 6)));

            assertThat(ops).hasSize(2);
            assertThat(LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops)
                            .verdict())
                    .isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void aReadCannotSeeAnAppendBeforeItWasInvoked() {
            var ops = AppendOnlyLogModel.resolveIndeterminateAppends(
                    List.of(ok(3, read(1, 10), page(entry(1, "b")), 5, 6), info(2, append("b"), 10)));

            assertThat(LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops)
                            .verdict())
                    .isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void anUnresolvedAppendIsRefusedWithWhatToDo() {
            var ops = List.of(
                    ok(1, append("a"), appended(1), 0, 1),
                    info(2, append("b"), 2),
                    ok(3, read(1, 10), page(entry(1, "a")), 5, 6));

            assertThatThrownBy(() -> LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("indeterminate append(b) has no offset")
                    .hasMessageContaining("resolveIndeterminateAppends");
        }

        @Test
        void resolvingNeedsUniqueRecords() {
            var ops = List.of(ok(1, append("a"), appended(1), 0, 1), info(2, append("a"), 2));

            assertThatThrownBy(() -> AppendOnlyLogModel.resolveIndeterminateAppends(ops))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("records must be unique");
        }
    }

    @Test
    void rejectionsSayWhatTheModelAllows() {
        AppendOnlyLogModel<String> model = AppendOnlyLogModel.fullPages();
        LogState<String> state = model.step(model.initialState(), append("a"), appended(3))
                .flatMap(s -> model.step(s, readHighWatermark(), highWatermark(5)))
                .orElseThrow();

        assertThat(model.step(state, append("b"), appended(4))).isEmpty();
        assertThat(model.explainRejection(state, append("b"), appended(4)))
                .isEqualTo("its offset must be above 5, the high watermark read before");
        assertThat(model.explainRejection(state, readHighWatermark(), highWatermark(4)))
                .isEqualTo("the high watermark is then at least 5");
        assertThat(model.explainRejection(state, read(1, 5), page())).isEqualTo("the log then holds [3:a] for it");
        assertThat(state).hasToString("a log of 1 records: 3:a, high watermark at least 5");
    }

    @Test
    void anOutputOfTheWrongKindIsAMistakeInTheHistory() {
        var ops = List.of(ok(1, append("a"), highWatermark(1), 0, 1));

        assertThatThrownBy(() -> LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("append(a) cannot return high watermark 1");
    }

    /** The operations as a list, copied element by element so that the varargs array never escapes. */
    @SafeVarargs
    private static List<Operation<Input<String>, Output<String>>> asList(
            Operation<Input<String>, Output<String>>... ops) {
        List<Operation<Input<String>, Output<String>>> list = new ArrayList<>(ops.length);
        for (var op : ops) {
            list.add(op);
        }
        return list;
    }
}
