package io.raftlog.testkit;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.LogEntry;
import java.util.List;
import java.util.Optional;

/**
 * Where two values differ, in words: failure messages show only the first bytes of a payload, so a
 * flipped byte further in would look like no difference at all.
 */
final class Differences {
    private Differences() {}

    /** " (first difference: …)", or "" if the values are equal or not of a kind this knows. */
    static String between(Object written, Object found) {
        String difference = describe(written, found);
        return difference == null ? "" : " (first difference: " + difference + ")";
    }

    private static String describe(Object written, Object found) {
        if (written instanceof Optional<?> a && found instanceof Optional<?> b) {
            return a.isPresent() && b.isPresent() ? describe(a.get(), b.get()) : null;
        }
        if (written instanceof List<?> a && found instanceof List<?> b) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                String difference = describe(a.get(i), b.get(i));
                if (difference != null) {
                    return "element " + i + ": " + difference;
                }
            }
            return a.size() == b.size() ? null : a.size() + " elements written, " + b.size() + " found";
        }
        if (written instanceof LogEntry a && found instanceof LogEntry b) {
            if (a.index() != b.index() || a.term() != b.term() || a.type() != b.type()) {
                return "index, term, type " + a.index() + ", " + a.term() + ", " + a.type() + " written, " + b.index()
                        + ", " + b.term() + ", " + b.type() + " found";
            }
            String payload = describe(a.payload(), b.payload());
            return payload == null ? null : "payload " + payload;
        }
        if (written instanceof Bytes a && found instanceof Bytes b) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                if (a.byteAt(i) != b.byteAt(i)) {
                    return String.format("byte %d is 0x%02x, 0x%02x was written", i, b.byteAt(i), a.byteAt(i));
                }
            }
            return a.size() == b.size() ? null : a.size() + " bytes written, " + b.size() + " found";
        }
        return null;
    }
}
