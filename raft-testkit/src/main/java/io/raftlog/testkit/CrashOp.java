package io.raftlog.testkit;

import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * One mutating call of the crash suite's workload, small enough to travel as a line of text: the
 * child JVM prints it before making the call, and the parent rebuilds the call's effect from it
 * (the bytes follow from the numbers, see {@link StoredValues}).
 */
sealed interface CrashOp {
    /** Makes the call on {@code store}. */
    void applyTo(LogStore store);

    /** Applies the call's effect to the expected state. */
    void applyTo(ExpectedLog log);

    /** The highest term the call uses (0 if none). */
    long term();

    /** The line form, parsed back by {@link #parse}. */
    String encode();

    /** {@code count} entries from {@code from}, all in {@code term}: one batch. */
    record Append(long from, int count, long term) implements CrashOp {
        List<LogEntry> entries() {
            List<LogEntry> entries = new ArrayList<>(count);
            for (long index = from; index < from + count; index++) {
                entries.add(StoredValues.entry(index, term, 0));
            }
            return entries;
        }

        @Override
        public void applyTo(LogStore store) {
            store.append(entries());
        }

        @Override
        public void applyTo(ExpectedLog log) {
            log.append(from, count, term);
        }

        @Override
        public String encode() {
            return "append " + from + " " + count + " " + term;
        }
    }

    /** {@link LogStore#truncateSuffix}. */
    record TruncateSuffix(long from) implements CrashOp {
        @Override
        public void applyTo(LogStore store) {
            store.truncateSuffix(from);
        }

        @Override
        public void applyTo(ExpectedLog log) {
            log.truncateSuffix(from);
        }

        @Override
        public long term() {
            return 0;
        }

        @Override
        public String encode() {
            return "truncateSuffix " + from;
        }
    }

    /** {@link LogStore#truncatePrefix}. */
    record TruncatePrefix(long to) implements CrashOp {
        @Override
        public void applyTo(LogStore store) {
            store.truncatePrefix(to);
        }

        @Override
        public void applyTo(ExpectedLog log) {
            log.truncatePrefix(to);
        }

        @Override
        public long term() {
            return 0;
        }

        @Override
        public String encode() {
            return "truncatePrefix " + to;
        }
    }

    /** {@link LogStore#reset}. */
    record Reset(long index, long term) implements CrashOp {
        @Override
        public void applyTo(LogStore store) {
            store.reset(index, term);
        }

        @Override
        public void applyTo(ExpectedLog log) {
            log.reset(index, term);
        }

        @Override
        public String encode() {
            return "reset " + index + " " + term;
        }
    }

    /** {@link LogStore#saveHardState} of {@link StoredValues#hardState}{@code (term)}. */
    record SaveHardState(long term) implements CrashOp {
        @Override
        public void applyTo(LogStore store) {
            store.saveHardState(StoredValues.hardState(term));
        }

        @Override
        public void applyTo(ExpectedLog log) {
            log.saveHardState(term);
        }

        @Override
        public String encode() {
            return "saveHardState " + term;
        }
    }

    /** {@link LogStore#saveMetadata} of the {@code version}-th value of {@code StoredValues.METADATA_NAMES[name]}. */
    record SaveMetadata(int name, long version) implements CrashOp {
        @Override
        public void applyTo(LogStore store) {
            String key = StoredValues.METADATA_NAMES[name];
            store.saveMetadata(key, StoredValues.metadataValue(key, version));
        }

        @Override
        public void applyTo(ExpectedLog log) {
            log.saveMetadata(name, version);
        }

        @Override
        public long term() {
            return 0;
        }

        @Override
        public String encode() {
            return "saveMetadata " + name + " " + version;
        }
    }

    /** {@link LogStore#replace} of the entry at {@code index} (in {@code term}) by its {@code version}-th form. */
    record Replace(long index, long term, long version) implements CrashOp {
        @Override
        public void applyTo(LogStore store) {
            store.replace(StoredValues.entry(index, term, version));
        }

        @Override
        public void applyTo(ExpectedLog log) {
            log.replace(index, term, version);
        }

        @Override
        public String encode() {
            return "replace " + index + " " + term + " " + version;
        }
    }

    /** Parses {@link #encode()}'s form. */
    static CrashOp parse(String text) {
        String[] words = text.trim().split(" ", -1);
        try {
            return switch (words[0]) {
                case "append" ->
                    new Append(Long.parseLong(words[1]), Integer.parseInt(words[2]), Long.parseLong(words[3]));
                case "truncateSuffix" -> new TruncateSuffix(Long.parseLong(words[1]));
                case "truncatePrefix" -> new TruncatePrefix(Long.parseLong(words[1]));
                case "reset" -> new Reset(Long.parseLong(words[1]), Long.parseLong(words[2]));
                case "saveHardState" -> new SaveHardState(Long.parseLong(words[1]));
                case "saveMetadata" -> new SaveMetadata(Integer.parseInt(words[1]), Long.parseLong(words[2]));
                case "replace" ->
                    new Replace(Long.parseLong(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3]));
                default -> throw new IllegalArgumentException("unknown call '" + words[0] + "'");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot parse the call '" + text + "': " + e.getMessage(), e);
        }
    }
}
