package io.raftlog.api.message;

import io.raftlog.api.NodeId;
import java.nio.ByteBuffer;

/**
 * The node ids the codec has decoded recently. A cluster has a handful of members and every message
 * names two of them, so decoding looks them up here first instead of building and validating a new
 * string and {@link NodeId} each time. Lock-free: readers see an immutable array; a miss replaces it.
 */
final class KnownNodeIds {
    private static final int CAPACITY = 64;
    private static volatile NodeId[] known = new NodeId[0];

    private KnownNodeIds() {
    }

    /** The remembered id whose ASCII bytes are {@code in[first, first + length)}, or null. */
    static NodeId find(ByteBuffer in, int first, int length) {
        NodeId[] ids = known;
        for (NodeId id : ids) {
            String value = id.value();
            if (value.length() == length && matches(value, in, first)) {
                return id;
            }
        }
        return null;
    }

    static NodeId remember(NodeId id) {
        NodeId[] ids = known;
        if (ids.length < CAPACITY) {
            NodeId[] grown = java.util.Arrays.copyOf(ids, ids.length + 1);
            grown[ids.length] = id;
            known = grown; // a lost race only forgets an id, which is found again next time
        }
        return id;
    }

    private static boolean matches(String value, ByteBuffer in, int first) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) != in.get(first + i)) {
                return false;
            }
        }
        return true;
    }
}
