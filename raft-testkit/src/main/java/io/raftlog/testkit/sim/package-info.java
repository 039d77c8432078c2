/**
 * The deterministic simulator: whole clusters on virtual time from one seed, under seeded faults,
 * with Raft's safety invariants checked after every event. {@link io.raftlog.testkit.sim.Simulation}
 * runs one seed; {@link io.raftlog.testkit.sim.SimulationOptions} shapes the runs; a broken
 * invariant throws {@link io.raftlog.testkit.sim.SimulationFailure} naming the seed that replays it.
 */
package io.raftlog.testkit.sim;
