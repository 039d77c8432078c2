package io.raftlog.testkit.linearizability;

import static io.raftlog.testkit.linearizability.RegisterModel.cas;
import static io.raftlog.testkit.linearizability.RegisterModel.get;
import static io.raftlog.testkit.linearizability.RegisterModel.ok;
import static io.raftlog.testkit.linearizability.RegisterModel.put;
import static io.raftlog.testkit.linearizability.RegisterModel.swapped;
import static io.raftlog.testkit.linearizability.RegisterModel.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.testkit.linearizability.LinearizabilityChecker.Budget;
import io.raftlog.testkit.linearizability.LinearizabilityResult.Verdict;
import io.raftlog.testkit.linearizability.RegisterModel.Op;
import io.raftlog.testkit.linearizability.RegisterModel.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The checker on one register: the textbook histories, overlaps, indeterminate calls, budgets. */
class RegisterLinearizabilityTest {
    private static final RegisterModel<Integer> ZERO = RegisterModel.startingAt(0);

    static Operation<Op<Integer>, Result<Integer>> completed(
            int process, Op<Integer> input, Result<Integer> output, long invoke, long ret) {
        return Operation.completed(process, input, invoke, output, ret);
    }

    static Operation<Op<Integer>, Result<Integer>> info(int process, Op<Integer> input, long invoke) {
        return Operation.indeterminate(process, input, invoke);
    }

    @SafeVarargs
    static LinearizabilityResult<Op<Integer>, Result<Integer>> check(Operation<Op<Integer>, Result<Integer>>... ops) {
        return LinearizabilityChecker.check(ZERO, asList(ops));
    }

    @Nested
    class Textbook {
        @Test
        void aSequentialHistoryTheModelAcceptsIsLinearizable() {
            var result = check(
                    completed(1, put(1), ok(), 0, 1),
                    completed(2, get(), value(1), 2, 3),
                    completed(1, cas(1, 2), swapped(true), 4, 5),
                    completed(2, get(), value(2), 6, 7));

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.linearization()).hasSize(4);
        }

        /**
         * The history that separates linearizability from sequential consistency: reordering the read
         * before the write explains it sequentially, but the write had returned before the read began.
         */
        @Test
        void aReadThatBeginsAfterAWriteReturnedMustSeeIt() {
            var result = check(completed(1, put(1), ok(), 0, 1), completed(2, get(), value(0), 2, 3));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation())
                    .contains("at most 1 can be put in an order")
                    .contains("#0 p1 put(1) -> ok  [0, 1]")
                    .contains("#1 p2 get() -> 0  [2, 3]")
                    .contains("rejected: the model returns 1 in state register holding 1");
        }

        @Test
        void readsOverlappingAWriteMaySeeTheOldValueAndThenTheNew() {
            var result = check(
                    completed(1, put(1), ok(), 0, 10),
                    completed(2, get(), value(0), 1, 2),
                    completed(3, get(), value(1), 3, 4));

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        /** Once a read has seen the new value, a read that begins later cannot see the old one. */
        @Test
        void noNewOldInversion() {
            var result = check(
                    completed(1, put(1), ok(), 0, 10),
                    completed(2, get(), value(1), 1, 2),
                    completed(3, get(), value(0), 3, 4));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation()).contains("#2 p3 get() -> 0  [3, 4]");
        }

        @Test
        void overlappingWritesTakeEffectInEitherOrderButOnce() {
            var later = check(
                    completed(1, put(1), ok(), 0, 10),
                    completed(2, put(2), ok(), 1, 9),
                    completed(3, get(), value(1), 11, 12));
            var flipFlop = check(
                    completed(1, put(1), ok(), 0, 10),
                    completed(2, put(2), ok(), 1, 9),
                    completed(3, get(), value(2), 11, 12),
                    completed(3, get(), value(1), 13, 14));

            assertThat(later.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(later.linearization()).extracting(Operation::input).containsExactly(put(2), put(1), get());
            assertThat(flipFlop.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void twoCompareAndSetsFromTheSameValueCannotBothSucceed() {
            var both =
                    check(completed(1, cas(0, 1), swapped(true), 0, 5), completed(2, cas(0, 2), swapped(true), 1, 6));
            var one =
                    check(completed(1, cas(0, 1), swapped(true), 0, 5), completed(2, cas(0, 2), swapped(false), 1, 6));

            assertThat(both.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(both.explanation()).contains("the model returns not swapped");
            assertThat(one.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void aFailedCompareAndSetIsAClaimAboutTheValueToo() {
            var result = check(completed(1, put(3), ok(), 0, 1), completed(2, cas(3, 4), swapped(false), 2, 3));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void timesThatTieOverlap() {
            // put returns at 5 and get is invoked at 5: neither is known to precede the other
            var result = check(completed(1, put(1), ok(), 0, 5), completed(2, get(), value(0), 5, 6));

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void anEmptyHistoryIsLinearizable() {
            assertThat(check().verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Nested
    class Indeterminate {
        @Test
        void aWriteThatTimedOutMustBeTakenToHaveHappenedWhenAReadSeesIt() {
            var timedOut = info(2, put(2), 2);
            var result = check(completed(1, put(1), ok(), 0, 1), timedOut, completed(3, get(), value(2), 5, 6));

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.linearization()).contains(timedOut);
            assertThat(result.explanation()).contains("1 indeterminate, 1 of them taken to have had an effect");
        }

        @Test
        void aWriteThatTimedOutMustBeTakenNotToHaveHappenedWhenReadsNeverSeeIt() {
            var timedOut = info(2, put(2), 2);
            var result = check(
                    completed(1, put(1), ok(), 0, 1),
                    timedOut,
                    completed(3, get(), value(1), 5, 6),
                    completed(3, get(), value(1), 7, 8));

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.linearization()).doesNotContain(timedOut);
        }

        @Test
        void anIndeterminateWriteTakesEffectAtMostOnceAndForGood() {
            var result = check(
                    completed(1, put(1), ok(), 0, 1),
                    info(2, put(2), 2),
                    completed(3, get(), value(2), 5, 6),
                    completed(3, get(), value(1), 7, 8));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void anIndeterminateWriteCannotTakeEffectBeforeItWasInvoked() {
            var result = check(completed(1, get(), value(2), 5, 6), info(2, put(2), 10));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation()).contains("No operation can even come first");
        }

        @Test
        void anIndeterminateCompareAndSetMayHaveSucceeded() {
            var result =
                    check(completed(1, put(0), ok(), 0, 1), info(2, cas(0, 5), 2), completed(3, get(), value(5), 4, 5));

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void manyIndeterminateCallsThatChangeNothingCostNothing() {
            List<Operation<Op<Integer>, Result<Integer>>> ops = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                ops.add(info(i, get(), i));
                ops.add(info(i, cas(99, 100), i));
            }
            ops.add(completed(1000, put(1), ok(), 0, 1000));
            ops.add(completed(1001, get(), value(1), 1001, 1002));

            var result = LinearizabilityChecker.check(ZERO, ops);

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.steps()).isLessThan(10_000);
        }
    }

    @Nested
    class Budgets {
        /** Puts of 1..n all overlapping, then a read of a value nobody wrote: every order must be tried. */
        private List<Operation<Op<Integer>, Result<Integer>>> hard(int n) {
            List<Operation<Op<Integer>, Result<Integer>>> ops = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                ops.add(completed(i, put(i), ok(), i, 1000));
            }
            ops.add(completed(0, get(), value(-1), 2000, 2001));
            return ops;
        }

        @Test
        void aSearchOutOfStepsAnswersUnknownAndSaysHowFarItGot() {
            var result = LinearizabilityChecker.check(ZERO, hard(12), Budget.ofSteps(100));

            assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
            assertThat(result.isLinearizable()).isFalse();
            assertThat(result.explanation())
                    .startsWith("unknown: the search ran out of its budget of 100 steps")
                    .contains("it had put at most 12 of 13 operations in a valid order");
        }

        @Test
        void theSameHistoryWithEnoughStepsIsProvenNotLinearizable() {
            var result = LinearizabilityChecker.check(ZERO, hard(12));

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation()).contains("#12 p0 get() -> -1");
        }

        @Test
        void aSearchOutOfTimeAnswersUnknown() {
            // 2^24 subsets of puts: far beyond a millisecond
            var result = LinearizabilityChecker.check(ZERO, hard(24), Budget.ofTime(Duration.ofMillis(1)));

            assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
            assertThat(result.explanation()).contains("its budget of PT0.001S");
        }

        @Test
        void assertLinearizableCarriesTheExplanation() {
            var result = check(completed(1, put(1), ok(), 0, 1), completed(2, get(), value(0), 2, 3));

            org.assertj.core.api.Assertions.assertThatThrownBy(result::assertLinearizable)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("#1 p2 get() -> 0");
        }
    }

    /** The operations as a list, copied element by element so that the varargs array never escapes. */
    @SafeVarargs
    private static List<Operation<Op<Integer>, Result<Integer>>> asList(
            Operation<Op<Integer>, Result<Integer>>... ops) {
        List<Operation<Op<Integer>, Result<Integer>>> list = new ArrayList<>(ops.length);
        for (var op : ops) {
            list.add(op);
        }
        return list;
    }
}
