package io.raftlog.storage.lmdb;

import io.raftlog.testkit.ContractExclusion;
import io.raftlog.testkit.LogStoreCorruptionContract;
import io.raftlog.testkit.LogStoreFactory;

/**
 * The LMDB store passes the corruption suite's payload test: a flipped byte in a stored payload
 * or metadata value fails its CRC32C and is reported, never returned. The test that flips bytes
 * anywhere is excluded: LMDB keeps no checksums on its own B-tree and meta pages, so a flip there
 * can make it read a stale or a wrong page, or crash in native code. {@link LmdbCorruptionTest}
 * covers the damage LMDB does detect: entry headers, lengths, a missing entry, the tail at open,
 * the hard state.
 */
@ContractExclusion(
        test = "flippedBytesAnywhereAreDetectedOrHarmless",
        reason = "LMDB does not checksum its B-tree and meta pages: a flipped page pointer or transaction id can"
                + " make it read a stale or wrong page silently (a documented LMDB limitation)")
class LmdbLogStoreCorruptionTest extends LogStoreCorruptionContract {
    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return LmdbLogStoreCrashIT.Factory.class;
    }
}
