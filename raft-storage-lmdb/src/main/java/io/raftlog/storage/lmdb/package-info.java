/**
 * A durable, checksummed {@link io.raftlog.api.spi.storage.LogStore} on LMDB:
 * {@link io.raftlog.storage.lmdb.LmdbLogStore}, its {@link io.raftlog.storage.lmdb.LmdbStoreConfig}
 * and {@link io.raftlog.storage.lmdb.SyncMode}, and the Guice binding
 * {@link io.raftlog.storage.lmdb.LmdbStorageModule}. Every JVM that opens a store needs
 * {@code --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED}.
 */
package io.raftlog.storage.lmdb;
