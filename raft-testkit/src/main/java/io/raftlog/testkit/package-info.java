/**
 * Contract suites (a TCK) that a plugin author extends to prove an implementation of an SPI:
 * {@link io.raftlog.testkit.LogStoreContract} for a {@link io.raftlog.api.spi.storage.LogStore},
 * with {@link io.raftlog.testkit.TestEntries} for entries whose content can be checked on sight;
 * {@link io.raftlog.testkit.LogStoreCrashContract} and
 * {@link io.raftlog.testkit.LogStoreCorruptionContract} for a durable one, given a
 * {@link io.raftlog.testkit.LogStoreFactory}; {@link io.raftlog.testkit.ContractExclusion} for a
 * rule a plugin cannot keep; and {@link io.raftlog.testkit.TransportContract} for a
 * {@link io.raftlog.api.spi.transport.Transport}. The deterministic cluster simulator is in
 * {@link io.raftlog.testkit.sim}.
 */
package io.raftlog.testkit;
