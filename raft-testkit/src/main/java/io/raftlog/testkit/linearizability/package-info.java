/**
 * A linearizability checker for concurrent histories, for raftlog's log and for any state machine
 * a user describes. Record what clients did in a
 * {@link io.raftlog.testkit.linearizability.History} (or build
 * {@link io.raftlog.testkit.linearizability.Operation}s directly), describe the object
 * sequentially as a {@link io.raftlog.testkit.linearizability.Model} (most easily a
 * {@link io.raftlog.testkit.linearizability.DeterministicModel}), and ask
 * {@link io.raftlog.testkit.linearizability.LinearizabilityChecker}, which answers with a
 * {@link io.raftlog.testkit.linearizability.LinearizabilityResult}: linearizable, not (with the
 * operation that could not be placed and why), or unknown when its budget ran out. Ready models:
 * {@link io.raftlog.testkit.linearizability.AppendOnlyLogModel} for the log,
 * {@link io.raftlog.testkit.linearizability.RegisterModel} and
 * {@link io.raftlog.testkit.linearizability.KeyValueModel} for registers and maps.
 */
package io.raftlog.testkit.linearizability;
