/**
 * Plain-file building blocks for durable storage plugins, shared by raftlog's own stores and open
 * to plugin authors: {@link io.raftlog.storage.files.FileSnapshotStore}, a durable
 * {@link io.raftlog.api.spi.storage.SnapshotStore} of one file per snapshot; the exclusive
 * {@link io.raftlog.storage.files.DirectoryLock} on a data directory;
 * {@link io.raftlog.storage.files.FileIo} (small files replaced atomically and read back checked,
 * directory syncs, I/O that an interrupt cannot break);
 * {@link io.raftlog.storage.files.SharedReadChannel}, a read channel many threads share and no
 * interrupt closes; and {@link io.raftlog.storage.files.HardStateFile}, term and vote in one
 * atomically replaced file. No third-party dependency but the SLF4J API, no native code, no Guice:
 * nothing here binds anything.
 */
package io.raftlog.storage.files;
