package io.raftlog.examples;

import io.raftlog.api.OffsetOutOfRangeException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Where {@code raftlog consume} starts: the start of the log, just after what is committed when it
 * starts, or a given offset (offsets start at 1, so 0 means the start too, as in Kafka).
 *
 * @param latest whether to start after the commit offset the consumer finds when it starts
 * @param offset the first offset to read, if not {@code latest}
 */
record StartOffset(boolean latest, long offset) {
    static final StartOffset EARLIEST = new StartOffset(false, 1);
    static final StartOffset LATEST = new StartOffset(true, 0);

    /** {@code earliest}, {@code latest} (either in any case) or an offset of at least 0. */
    static StartOffset parse(String text) {
        String trimmed = text.strip();
        if (trimmed.equalsIgnoreCase("earliest")) {
            return EARLIEST;
        }
        if (trimmed.equalsIgnoreCase("latest")) {
            return LATEST;
        }
        long offset;
        try {
            offset = Long.parseLong(trimmed);
        } catch (NumberFormatException e) {
            offset = -1;
        }
        if (offset < 0) {
            throw new IllegalArgumentException("expected earliest, latest or an offset >= 0, got '" + text + "'");
        }
        return new StartOffset(false, Math.max(1, offset));
    }

    /**
     * Whether this is the start of the log, wherever it is now: {@code earliest}, 0 or 1. Offset 1
     * is the first there ever was, so asking for it is asking for the oldest record still held,
     * not for a position to reset when retention removed it.
     */
    boolean earliest() {
        return equals(EARLIEST);
    }

    /**
     * What {@code raftlog consume} does when its position is below the log start (Kafka's
     * {@code auto.offset.reset}): resume at the oldest record still held, after the newest one, or
     * stop.
     */
    enum Reset {
        EARLIEST,
        LATEST,
        NONE;

        /** {@code earliest}, {@code latest} or {@code none}, in any case. */
        static Reset parse(String text) {
            for (Reset reset : values()) {
                if (reset.name().equalsIgnoreCase(text.strip())) {
                    return reset;
                }
            }
            throw new IllegalArgumentException("expected earliest, latest or none, got '" + text + "'");
        }

        /**
         * The offset to read next after {@code error}: the log start for {@code earliest}, just
         * after the high watermark for {@code latest}.
         *
         * @throws IllegalStateException for {@code none}, with {@link #describe} of the error
         */
        long resumeAt(OffsetOutOfRangeException error) {
            return switch (this) {
                case EARLIEST -> error.logStartOffset();
                case LATEST -> error.highWatermark() + 1;
                case NONE ->
                    throw new IllegalStateException(describe(error) + " (--reset none; --reset earliest"
                            + " resumes at " + error.logStartOffset() + ", --reset latest at "
                            + (error.highWatermark() + 1) + ")");
            };
        }

        /** One line for standard error: what happened and where the consumer goes on. */
        String resuming(OffsetOutOfRangeException error) {
            return describe(error) + ": resuming at " + resumeAt(error);
        }

        static String describe(OffsetOutOfRangeException error) {
            return "offset " + error.offset() + " is below the log start " + error.logStartOffset();
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** For picocli, as {@link StartOffset.Converter}. */
        static final class Converter implements ITypeConverter<Reset> {
            @Override
            public Reset convert(String value) {
                try {
                    return parse(value);
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException(e.getMessage());
                }
            }
        }
    }

    /** For picocli: a value it cannot parse is a usage error (exit status 2), not a failure. */
    static final class Converter implements ITypeConverter<StartOffset> {
        @Override
        public StartOffset convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
