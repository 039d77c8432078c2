package io.raftlog.api;

import java.util.regex.Pattern;

/**
 * The name of a cluster member: 1 to 64 characters from {@code [A-Za-z0-9._-]}.
 *
 * @param value the name
 */
public record NodeId(String value) implements Comparable<NodeId> {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public NodeId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "invalid node id '" + value + "': use 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'");
        }
    }

    public static NodeId of(String value) {
        return new NodeId(value);
    }

    @Override
    public int compareTo(NodeId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
