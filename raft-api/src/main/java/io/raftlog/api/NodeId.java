package io.raftlog.api;

/**
 * The name of a cluster member: 1 to 64 characters from {@code [A-Za-z0-9._-]}.
 *
 * @param value the name
 */
public record NodeId(String value) implements Comparable<NodeId> {
    /**
     * The most characters (ASCII, so also bytes) an id has. Whatever must fit a message between two
     * members sizes for ids this long: members join later, and a node's own id may be the longest.
     */
    public static final int MAX_LENGTH = 64;

    public NodeId {
        if (!valid(value)) {
            throw new IllegalArgumentException(
                    "invalid node id '" + value + "': use 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'");
        }
    }

    private static boolean valid(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static NodeId of(String value) {
        return new NodeId(value);
    }

    // Written out: the generated record methods go through method handles, and node ids are
    // compared and hashed on every message the event loop handles.
    @Override
    public boolean equals(Object other) {
        return other == this || (other instanceof NodeId id && value.equals(id.value));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
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
