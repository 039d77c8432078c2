/**
 * Contract suites (a TCK) that a plugin author extends to prove an implementation of an SPI:
 * {@link io.raftlog.testkit.LogStoreContract} for a {@link io.raftlog.api.spi.storage.LogStore},
 * with {@link io.raftlog.testkit.TestEntries} for entries whose content can be checked on sight.
 */
package io.raftlog.testkit;
