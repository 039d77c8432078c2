/**
 * A durable, checksummed {@link io.raftlog.api.spi.storage.LogStore} on plain segment files, with
 * one {@code fdatasync} per append: {@link io.raftlog.storage.segment.SegmentLogStore}, its
 * {@link io.raftlog.storage.segment.SegmentStoreConfig}, and the Guice binding
 * {@link io.raftlog.storage.segment.SegmentStorageModule}. No third-party dependency but Guice
 * (for the module) and the SLF4J API.
 */
package io.raftlog.storage.segment;
