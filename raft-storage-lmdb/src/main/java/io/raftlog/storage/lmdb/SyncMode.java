package io.raftlog.storage.lmdb;

/** How an {@link LmdbLogStore} makes its writes durable. */
public enum SyncMode {
    /**
     * The default and the only mode for production: every mutating call returns (or fails) only
     * after LMDB has written and {@code fdatasync}ed its data pages and then its meta page, so an
     * acknowledged entry survives both a killed process and a lost machine (power loss, kernel
     * panic).
     */
    SYNC,

    /**
     * <b>For benchmarks only — CAN LOSE ACKNOWLEDGED DATA.</b> LMDB's {@code MDB_NOSYNC}: commits
     * reach the operating system's page cache but are never flushed by the store. A killed process
     * loses nothing (the kernel still holds the pages), but a power loss or kernel crash can lose
     * any number of the last acknowledged transactions, which breaks Raft's safety (a node may
     * forget a vote or an entry it acknowledged). The store logs a warning when opened in this
     * mode.
     */
    NO_SYNC
}
