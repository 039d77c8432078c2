package io.raftlog.transport.netty.internal;

import java.time.Duration;
import java.util.Objects;

/** Validation shared by the transport's and the client's config records. */
public final class ConfigChecks {
    private ConfigChecks() {}

    public static void requireClusterId(String clusterId) {
        Objects.requireNonNull(clusterId, "clusterId");
        int bytes = clusterId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > 255) {
            throw new IllegalArgumentException("clusterId must be 1 to 255 UTF-8 bytes, was " + bytes);
        }
    }

    public static void requirePositive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    public static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
