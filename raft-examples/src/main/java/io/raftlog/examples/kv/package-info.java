/**
 * A linearizable key-value store built on raftlog: the worked example of writing a state machine
 * on the log. {@link io.raftlog.examples.kv.KvWrite} is the record format of a write,
 * {@link io.raftlog.examples.kv.KvStateMachine} applies writes in offset order (through the
 * {@link io.raftlog.api.StateMachine} SPI, snapshots included), and two front ends read and write
 * it: {@link io.raftlog.examples.kv.KvStore} on a node that runs the state machine (a read costs a
 * read index), and {@link io.raftlog.examples.kv.KvView} in a client that folds the log itself (no
 * state machine on the nodes; a read costs a read index and the records since the view's last
 * call) — the one {@code raftlog kv} uses.
 */
package io.raftlog.examples.kv;
