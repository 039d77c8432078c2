package io.raftlog.examples.kv;

import java.util.Objects;

/**
 * What applying one record did to the map, kept by {@link KvStateMachine} per offset so that
 * whoever proposed the record learns it: every node computes the same result, since every node
 * applies the same records in the same order.
 */
public sealed interface KvResult {
    /** A put or a delete, applied (a delete of an absent key too: it leaves the key absent). */
    record Written() implements KvResult {}

    /**
     * A compare-and-set, applied.
     *
     * @param swapped whether the key held the expected value and now holds the update
     */
    record Swapped(boolean swapped) implements KvResult {}

    /**
     * A record that is not a write this node knows; the map did not change.
     *
     * @param reason what is wrong with it, as {@link MalformedWriteException} says it
     */
    record Rejected(String reason) implements KvResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The one {@link Written} value. */
    KvResult WRITTEN = new Written();
}
