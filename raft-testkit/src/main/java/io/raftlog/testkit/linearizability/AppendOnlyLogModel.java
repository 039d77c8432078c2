package io.raftlog.testkit.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The sequential specification of a replicated append-only log like raftlog's
 * {@code ReplicatedLog}: appends that return offsets, reads of a page of records from an offset,
 * and reads of the high watermark. The state ({@link LogState}) is the records appended so far
 * with their offsets, and the least high watermark the history allows. The rules:
 * <ol>
 *   <li><b>{@link #append append(r)} returns {@link #appended appended(o)}</b> with {@code o}
 *       above every offset appended before and above every high watermark read before; it adds
 *       {@code (o, r)}. Offsets strictly increase in the order appends take effect, but need not be
 *       consecutive: raftlog's log also holds internal entries (the no-op a new leader appends,
 *       log-start markers) whose offsets reads skip. An append takes effect when its entry
 *       commits, and entries commit in log order, so this is the order of offsets: an append
 *       acknowledged before another was invoked has the smaller offset.</li>
 *   <li><b>{@link #read read(from, max)} returns a {@link #page page}</b> that is exactly the first
 *       {@code min(max, n)} records at offsets {@code >= from} of the state, where {@code n} is how
 *       many it holds there: fewer than {@code max} only when there are no more. So a read reflects
 *       every append that completed before it was invoked — a read that misses one is stale — and
 *       an empty page means nothing at or above {@code from} had taken effect. With
 *       {@link #shortPagesAllowed()} the page may also end early: any prefix of those records, not
 *       empty unless there are none.</li>
 *   <li><b>{@link #readHighWatermark()} returns {@link #highWatermark highWatermark(h)}</b> with
 *       {@code h} at least every offset appended before it and at least every high watermark read
 *       before it (a linearizable commit index never goes back); later appends take offsets above
 *       {@code h}. It may exceed the last record's offset, by internal entries — which is why the
 *       rule is not "{@code h} at most the last offset": with internal entries that would reject
 *       correct logs. A high watermark from beyond the commit point is still caught, by the next
 *       append that takes an offset at or below it.</li>
 * </ol>
 *
 * <p><b>What raftlog guarantees today.</b> Appends ({@code ReplicatedLog.append}) are meant to
 * keep these rules: an entry is acknowledged once committed, and a later leader's log holds every
 * committed entry, so a later append lands above it (the whole-node simulator checks this
 * real-time order of offsets too). Reads and {@code commitOffset()} are <em>not</em>: there is no
 * ReadIndex, so a follower or a deposed leader serves its own committed prefix, which may lag
 * (see {@code docs/ARCHITECTURE.md}). A history with such reads fails the check with a stale read,
 * rightly; check appends and reads served by a linearizable read path. raftlog's {@code read} may
 * also end a page early (internal entries count against {@code maxRecords}, and a page is capped
 * at 4 MiB), which is what {@link #shortPagesAllowed()} is for.
 *
 * <p><b>Indeterminate appends.</b> An append that timed out has no offset, and the model cannot
 * guess one: {@link #stepUnobserved} throws for it. Pass the history through
 * {@link #resolveIndeterminateAppends} first, which needs every record to be unique. Not
 * modelled: batches ({@code appendAll}), idempotent producers, and the log start moving
 * ({@code deleteRecordsBefore}, retention) — reads below the log start fail definitely and are
 * left out of the history.
 *
 * @param <R> the record type, with {@code equals} and {@code hashCode} (raftlog's {@code Bytes}
 *     has both)
 */
public final class AppendOnlyLogModel<R>
        implements Model<LogState<R>, AppendOnlyLogModel.Input<R>, AppendOnlyLogModel.Output<R>> {
    /** An operation on the log. */
    public sealed interface Input<R> permits Append, Read, ReadHighWatermark {}

    /**
     * Appends a record.
     *
     * @param record what is appended
     * @param <R>    the record type
     */
    public record Append<R>(R record) implements Input<R> {
        public Append {
            Objects.requireNonNull(record, "record");
        }

        @Override
        public String toString() {
            return "append(" + record + ")";
        }
    }

    /**
     * Reads up to {@code maxRecords} records from {@code fromOffset}.
     *
     * @param fromOffset the lowest offset wanted, at least 0
     * @param maxRecords the page size, at least 1
     * @param <R>        the record type
     */
    public record Read<R>(long fromOffset, int maxRecords) implements Input<R> {
        public Read {
            if (fromOffset < 0 || maxRecords < 1) {
                throw new IllegalArgumentException(
                        "read needs fromOffset >= 0 and maxRecords >= 1, got " + fromOffset + " and " + maxRecords);
            }
        }

        @Override
        public String toString() {
            return "read(from " + fromOffset + ", max " + maxRecords + ")";
        }
    }

    /**
     * Reads the high watermark: the highest committed offset.
     *
     * @param <R> the record type
     */
    public record ReadHighWatermark<R>() implements Input<R> {
        @Override
        public String toString() {
            return "readHighWatermark()";
        }
    }

    /** What an operation on the log returned. */
    public sealed interface Output<R> permits Appended, Page, HighWatermark {}

    /**
     * The offset an append got.
     *
     * @param offset at least 1
     * @param <R>    the record type
     */
    public record Appended<R>(long offset) implements Output<R> {
        public Appended {
            if (offset < 1) {
                throw new IllegalArgumentException("offset must be >= 1, was " + offset);
            }
        }

        @Override
        public String toString() {
            return "offset " + offset;
        }
    }

    /**
     * The records a read returned, in offset order.
     *
     * @param entries the records with their offsets
     * @param <R>     the record type
     */
    public record Page<R>(List<Entry<R>> entries) implements Output<R> {
        public Page {
            entries = List.copyOf(entries);
        }

        @Override
        public String toString() {
            return "[" + LogState.join(entries) + "]";
        }
    }

    /**
     * The high watermark read.
     *
     * @param offset at least 0
     * @param <R>    the record type
     */
    public record HighWatermark<R>(long offset) implements Output<R> {
        public HighWatermark {
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0, was " + offset);
            }
        }

        @Override
        public String toString() {
            return "high watermark " + offset;
        }
    }

    /**
     * A record at its offset.
     *
     * @param offset at least 1
     * @param record the record
     * @param <R>    the record type
     */
    public record Entry<R>(long offset, R record) {
        public Entry {
            if (offset < 1) {
                throw new IllegalArgumentException("offset must be >= 1, was " + offset);
            }
            Objects.requireNonNull(record, "record");
        }

        @Override
        public String toString() {
            return offset + ":" + record;
        }
    }

    private final boolean shortPages;

    private AppendOnlyLogModel(boolean shortPages) {
        this.shortPages = shortPages;
    }

    /** The model whose reads return full pages (rule 2). */
    public static <R> AppendOnlyLogModel<R> fullPages() {
        return new AppendOnlyLogModel<>(false);
    }

    /**
     * The model whose reads may end a page early: a read returns a prefix of the page rule 2
     * gives, empty only if that page is. Still catches a read that misses the first record it
     * should see, returns nothing when something is there, or returns a record that is not there.
     */
    public static <R> AppendOnlyLogModel<R> shortPagesAllowed() {
        return new AppendOnlyLogModel<>(true);
    }

    public static <R> Input<R> append(R record) {
        return new Append<>(record);
    }

    public static <R> Input<R> read(long fromOffset, int maxRecords) {
        return new Read<>(fromOffset, maxRecords);
    }

    public static <R> Input<R> readHighWatermark() {
        return new ReadHighWatermark<>();
    }

    public static <R> Output<R> appended(long offset) {
        return new Appended<>(offset);
    }

    public static <R> Output<R> page(List<Entry<R>> entries) {
        return new Page<>(entries);
    }

    @SafeVarargs
    public static <R> Output<R> page(Entry<R>... entries) {
        List<Entry<R>> list = new ArrayList<>(entries.length);
        for (Entry<R> entry : entries) { // not List.of(entries): that would let the array escape
            list.add(entry);
        }
        return new Page<>(list);
    }

    public static <R> Entry<R> entry(long offset, R record) {
        return new Entry<>(offset, record);
    }

    public static <R> Output<R> highWatermark(long offset) {
        return new HighWatermark<>(offset);
    }

    @Override
    public LogState<R> initialState() {
        return LogState.empty();
    }

    @Override
    public Optional<LogState<R>> step(LogState<R> state, Input<R> input, Output<R> output) {
        if (input instanceof Append<R> append) {
            if (!(output instanceof Appended<R> appended)) {
                throw mismatch(input, output);
            }
            return appended.offset() > state.minHighWatermark()
                    ? Optional.of(state.append(new Entry<>(appended.offset(), append.record())))
                    : Optional.empty();
        }
        if (input instanceof Read<R> read) {
            if (!(output instanceof Page<R> page)) {
                throw mismatch(input, output);
            }
            return pageAllowed(state, read, page.entries()) ? Optional.of(state) : Optional.empty();
        }
        if (!(output instanceof HighWatermark<R> highWatermark)) {
            throw mismatch(input, output);
        }
        return highWatermark.offset() >= state.minHighWatermark()
                ? Optional.of(state.withMinHighWatermark(highWatermark.offset()))
                : Optional.empty();
    }

    private boolean pageAllowed(LogState<R> state, Read<R> read, List<Entry<R>> returned) {
        List<Entry<R>> page = state.from(read.fromOffset(), read.maxRecords());
        if (!shortPages || returned.size() >= page.size()) {
            return returned.equals(page);
        }
        return !returned.isEmpty() && returned.equals(page.subList(0, returned.size()));
    }

    private static IllegalArgumentException mismatch(Input<?> input, Output<?> output) {
        return new IllegalArgumentException(input + " cannot return " + output + ": the history was recorded wrongly");
    }

    /** A read or high-watermark read with no output changes nothing; an append needs its offset. */
    @Override
    public Optional<LogState<R>> stepUnobserved(LogState<R> state, Input<R> input) {
        if (input instanceof Append<R> append) {
            throw new IllegalArgumentException("indeterminate " + append + " has no offset: pass the history through"
                    + " AppendOnlyLogModel.resolveIndeterminateAppends first");
        }
        return Optional.of(state);
    }

    /** Reads of a page; not high-watermark reads, which raise the least high watermark. */
    @Override
    public boolean isReadOnly(Input<R> input, Output<R> output) {
        return input instanceof Read;
    }

    /**
     * Appends and high-watermark reads are ordered by offset: an append's key is {@code 2 × offset},
     * a high watermark {@code h}'s is {@code 2h + 1}, so it follows every append at or below
     * {@code h} and precedes every append above it — rules 1 and 3.
     */
    @Override
    public OptionalLong orderKey(Input<R> input, Output<R> output) {
        long offset;
        if (output instanceof Appended<R> appended) {
            offset = appended.offset();
        } else if (output instanceof HighWatermark<R> highWatermark) {
            offset = highWatermark.offset();
        } else {
            return OptionalLong.empty();
        }
        if (offset > (Long.MAX_VALUE - 1) / 2) {
            return OptionalLong.empty(); // no room for the key; the model still checks the order
        }
        return OptionalLong.of(2 * offset + (output instanceof HighWatermark ? 1 : 0));
    }

    @Override
    public String explainRejection(LogState<R> state, Input<R> input, Output<R> output) {
        if (input instanceof Append) {
            return "its offset must be above " + state.minHighWatermark()
                    + (state.minHighWatermark() > state.lastOffset()
                            ? ", the high watermark read before"
                            : ", the last offset appended");
        }
        if (input instanceof Read<R> read) {
            List<Entry<R>> page = state.from(read.fromOffset(), read.maxRecords());
            return "the log then holds "
                    + (page.isEmpty() ? "nothing" : "[" + LogState.join(page) + "]")
                    + " for it" + (shortPages && page.size() > 1 ? " (or a non-empty prefix of that)" : "");
        }
        return "the high watermark is then at least " + state.minHighWatermark();
    }

    /**
     * The history with every indeterminate append's offset settled, by looking for its record in
     * what reads returned: an append whose record a read returned at offset {@code o} took effect
     * (if any did) at {@code o} — it keeps its unknown timing and is given the output
     * {@code appended(o)}; one whose record no read returned is left out, which changes no verdict
     * (taking effect unseen could only constrain later offsets). To use a final read of the whole
     * log, add it to the history as an operation first. The returned list no longer has the left
     * out operations, so explanations number operations by their place in it.
     *
     * @throws IllegalArgumentException if two appends have equal records: the reads could not tell
     *     them apart
     */
    public static <R> List<Operation<Input<R>, Output<R>>> resolveIndeterminateAppends(
            List<Operation<Input<R>, Output<R>>> operations) {
        Map<R, Long> seenAt = new HashMap<>();
        Map<R, Operation<Input<R>, Output<R>>> appendOf = new HashMap<>();
        for (Operation<Input<R>, Output<R>> op : operations) {
            if (op.input() instanceof Append<R> append) {
                Operation<Input<R>, Output<R>> earlier = appendOf.put(append.record(), op);
                if (earlier != null) {
                    throw new IllegalArgumentException(
                            "two appends of the same record, " + earlier + " and " + op + ": records must be unique");
                }
            }
            if (op.output().orElse(null) instanceof Page<R> page) {
                for (Entry<R> entry : page.entries()) {
                    seenAt.putIfAbsent(entry.record(), entry.offset());
                }
            }
        }
        List<Operation<Input<R>, Output<R>>> resolved = new ArrayList<>(operations.size());
        for (Operation<Input<R>, Output<R>> op : operations) {
            if (op.input() instanceof Append<R> append && op.output().isEmpty()) {
                Long offset = seenAt.get(append.record());
                if (offset != null) {
                    resolved.add(op.withKnownOutput(appended(offset)));
                }
            } else {
                resolved.add(op);
            }
        }
        return List.copyOf(resolved);
    }
}
