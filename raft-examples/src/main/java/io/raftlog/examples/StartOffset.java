package io.raftlog.examples;

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
