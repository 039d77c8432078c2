package io.raftlog.testkit.sim;

/**
 * What a whole-node run did, for reporting and for tests that check a run exercised something.
 *
 * @param seed             the seed
 * @param nodes            cluster size
 * @param events           events processed
 * @param messagesSent     messages put on the simulated wire
 * @param messagesDropped  of those, lost to drops, partitions, the size cap or full links
 * @param elections        distinct terms with a leader
 * @param crashes          crash-restarts, including nodes stopped by a fatal write error
 * @param storageFailures  failed write attempts the nodes retried (I/O errors, full disks)
 * @param lostDisks        nodes restarted on a blank store (with {@code REJOIN}, or as if new)
 * @param lostDisksRefused of those started as if new, the starts their peers refused
 * @param olderCopies      nodes restarted on an older copy of their data their peers' records give away
 * @param olderCopiesRefused of those, the starts refused (all of them, or the run fails)
 * @param olderCopiesWiped of those, the ones wiped first for an entry no peer held intact any more
 *                         (the copy was older than every peer's log): gone before a peer's refusal
 *                         arrived, never vetted, so it could neither vote nor acknowledge
 * @param olderCopiesMooted of those, the ones on a node the operator removed before a refusal
 *                         came (no member's to refuse any more; never vetted, or the run fails)
 * @param bitFlips         stored entries damaged (caught by the store's checksum, then repaired)
 * @param pauses           stop-the-world pauses
 * @param clockJumps       wall-clock steps
 * @param acknowledged     records acknowledged to clients
 * @param reads            reads answered
 * @param transfers        leadership transfers requested
 * @param commitIndex      the final applied index
 * @param virtualMillis    simulated time
 * @param snapshotsInstalled leaders' snapshots installed by followers whose logs ended too early
 * @param snapshotsDamaged snapshots damaged at rest while their node was down
 * @param snapshotsUnusable starts refused because no intact snapshot covered the log (then rejoined)
 * @param deletions        deleteRecordsBefore calls that completed
 * @param outOfRangeReads  reads refused for asking below the log start
 * @param logStart         the highest log start offset at the end
 * @param linearizableReads linearizable reads and read indexes answered (each checked to see every
 *                         append acknowledged before it began)
 * @param nodesAdded       nodes the operator added as learners (new ids, empty disks)
 * @param promotions       learners promoted to voters
 * @param removals         members removed (and, on most seeds, shut down)
 * @param membershipRefusals membership changes refused (a lagging learner, a change pending, no
 *                         live quorum), each retried or given up
 */
public record NodeSimulationResult(
        long seed,
        int nodes,
        long events,
        long messagesSent,
        long messagesDropped,
        int elections,
        int crashes,
        int storageFailures,
        int lostDisks,
        int lostDisksRefused,
        int olderCopies,
        int olderCopiesRefused,
        int olderCopiesWiped,
        int olderCopiesMooted,
        int bitFlips,
        int pauses,
        int clockJumps,
        long acknowledged,
        long reads,
        long transfers,
        long commitIndex,
        long virtualMillis,
        int snapshotsInstalled,
        int snapshotsDamaged,
        int snapshotsUnusable,
        long deletions,
        long outOfRangeReads,
        long logStart,
        long linearizableReads,
        int nodesAdded,
        int promotions,
        int removals,
        int membershipRefusals) {}
