/**
 * Contract suites (a TCK) that a plugin author extends to prove an implementation of an SPI:
 * {@link io.raftlog.testkit.LogStoreContract} for a {@link io.raftlog.api.spi.storage.LogStore}
 * (its concurrency half, {@link io.raftlog.testkit.LogStoreConcurrencyChecks}, also runs on its
 * own), with {@link io.raftlog.testkit.TestEntries} for entries whose content can be checked on
 * sight; {@link io.raftlog.testkit.LogStoreCrashContract} and
 * {@link io.raftlog.testkit.LogStoreCorruptionContract} for a durable one, given a
 * {@link io.raftlog.testkit.LogStoreFactory}; {@link io.raftlog.testkit.SnapshotStoreContract} for a
 * {@link io.raftlog.api.spi.storage.SnapshotStore}; and
 * {@link io.raftlog.testkit.TransportContract} for a {@link io.raftlog.api.spi.transport.Transport}.
 * Each suite groups its tests in {@code @Nested} classes and names, in every assertion, the rule of
 * the SPI's Javadoc it checks; {@link io.raftlog.testkit.ContractExclusion} turns one test off
 * with a reason. The deterministic cluster simulator is in {@link io.raftlog.testkit.sim}.
 */
package io.raftlog.testkit;
