package io.raftlog.examples.filestore.seeded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bugs seeded into the example store, each a textual patch of its sources or of the
 * raft-storage-files sources it is built on ({@code FileIo.java}, {@code HardStateFile.java},
 * {@code SharedReadChannel.java}; see {@link Mutant}), with the suite tests that catch it
 * ({@code Suite#test}; empty when no suite can). {@code userListed} marks the 19
 * kinds of the plugin author's report: 12 the first contract caught and the 7 it missed.
 */
enum SeededBug {
    // ---- the seven the first contract missed --------------------------------------------------
    NO_FSYNC(
            true,
            "the log file is never forced",
            List.of("Crash#everyCompletedCallSurvivesPowerLoss"),
            patch(
                    "LogFile.java",
                    "channel.force(false); // the frames are durable",
                    "// no force: the frames are durable"),
            patch("LogFile.java", "        channel.force(false);\n        end = at", "        end = at")),
    NO_CHECKSUM_ON_READ(
            true,
            "a read does not check the entry's CRC32C",
            List.of("Corruption#flippedPayloadBytesAreDetected"),
            patch("Frames.java", "if (stored != computed) {", "if (stored != computed && false) {")),
    COMMIT_MARKER_IGNORED(
            true,
            "recovery applies every frame, committed or not: an append cut short is half there",
            List.of("Crash#everyCompletedCallSurvivesPowerLoss"),
            patch(
                    "LogRecovery.java",
                    "                pending.add(header);\n                continue;",
                    "                apply(header);\n                committedEnd = position;\n                continue;")),
    HARD_STATE_IN_PLACE(
            true,
            "the hard state file is rewritten in place, not replaced by a rename",
            List.of("Crash#everyCompletedCallSurvivesPowerLoss"),
            patch(
                    "HardStateFile.java",
                    "FileIo.replaceAtomically(directory, name, body);",
                    "FileIo.rewriteInPlace(directory, name, body);"),
            patch("FileIo.java", "    public static Optional<byte[]> readChecked(", """
                        static void rewriteInPlace(Path directory, String name, byte[] body) throws IOException {
                            ByteBuffer content = ByteBuffer.allocate(8 + body.length);
                            content.putInt(4, body.length).put(8, body).putInt(0, checksum(content));
                            try (FileChannel channel = FileChannel.open(
                                    directory.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                                writeFully(channel, content, 0);
                                channel.truncate(content.capacity());
                                channel.force(true);
                            }
                        }

                        public static Optional<byte[]> readChecked(""")),
    INTERRUPTED_READ_BREAKS(
            true,
            "a read on an interrupted thread closes the shared channel and fails, and so do all reads after it",
            List.of("Contract#readsOnAThreadWhoseInterruptFlagIsSetReturnTheRightAnswersAndKeepTheFlag"),
            patch(
                    "SharedReadChannel.java",
                    "boolean interrupted = Thread.interrupted(); // put aside",
                    "boolean interrupted = false; // kept"),
            patch(
                    "SharedReadChannel.java",
                    "} catch (ClosedChannelException closedUnderUs) {",
                    "} catch (ClosedChannelException closedUnderUs) {\n                    if (closedUnderUs != null) throw closedUnderUs;"),
            patch(
                    "FileLogStore.java",
                    "return io(\n                    \"reading entries from index \" + fromIndex,\n"
                            + "                    () -> EntryReads.read(index, reads, location, fromIndex, maxEntries, maxBytes));",
                    "try {\n return EntryReads.read(index, reads, location, fromIndex, maxEntries, maxBytes);\n"
                            + "} catch (IOException e) {\n throw new StorageException(\"reading failed\", e);\n}")),
    MAX_BYTES_ON_PAYLOAD(
            true,
            "maxBytes counts payload bytes, not LogEntry.sizeInBytes()",
            List.of("Contract#maxBytesCountsSizeInBytesNotPayloadBytes"),
            patch(
                    "EntryReads.java",
                    "long size = LogEntry.sizeInBytes(index.payloadBytes(next));",
                    "long size = index.payloadBytes(next);")),
    PRODUCER_BATCH_READ_AS_DATA(
            true,
            "PRODUCER_BATCH entries read back as DATA",
            List.of("Contract#everyEntryTypeReadsBackWithItsTypeTermIndexAndPayloadAlsoAfterReopening"),
            patch(
                    "Frames.java",
                    "return new LogEntry(index, header.term(), type, Bytes.wrap(payload));",
                    "return new LogEntry(index, header.term(), type == EntryType.PRODUCER_BATCH ? EntryType.DATA : type,"
                            + " Bytes.wrap(payload));")),
    // ---- the twelve the first contract caught -------------------------------------------------
    LAST_INDEX_OFF_BY_ONE_AFTER_TRUNCATE_SUFFIX(
            true,
            "truncateSuffix keeps one entry too many",
            List.of("Contract#truncateSuffixRemovesTheTailAndLetsANewTermReplaceIt"),
            patch(
                    "EntryIndex.java",
                    "count = (int) (fromIndex - firstIndex);",
                    "count = (int) (fromIndex - firstIndex) + 1;")),
    TERM_BEFORE_FIRST_LOST_AFTER_TRUNCATE_PREFIX(
            true,
            "truncatePrefix forgets the term of the entry before the new first",
            List.of("Contract#truncatePrefixKeepsTheTermOfTheEntryBeforeTheNewFirst"),
            patch("EntryIndex.java", "termBeforeFirst = newTermBefore;", "termBeforeFirst = 0;")),
    RESET_NOT_PERSISTED(
            true,
            "reset changes the index in memory only",
            List.of("Contract#resetSurvivesReopening"),
            patch(
                    "FileLogStore.java",
                    "commit(\n                    \"resetting the log to start after index \" + resetIndex,\n"
                            + "                    LogFile.Operation.control(Frames.RESET, resetIndex, resetTerm),\n"
                            + "                    resetIndex,\n                    resetTerm);",
                    "new LogFile.Written(LogFile.Operation.control(Frames.RESET, resetIndex, resetTerm), new long[0])"
                            + ".applyTo(index);")),
    METADATA_LOST_ON_REOPEN(
            true,
            "open deletes the metadata files with the leftovers",
            List.of("Contract#metadataSurvivesReopeningAndTruncationsAndIsApartFromTheHardState"),
            patch(
                    "FileIo.java",
                    "|| name.equals(alsoName))",
                    "|| name.equals(alsoName) || name.startsWith(\"metadata-\"))")),
    HARD_STATE_NOT_PERSISTED(
            true,
            "saveHardState keeps the state in memory only",
            List.of("Contract#everythingSurvivesReopening"),
            patch(
                    "FileLogStore.java",
                    "io(\"saving hard state \" + state, () -> HardStateFile.write(directory, HARD_STATE_FILE, state));",
                    "")),
    READ_BEYOND_MAX_ENTRIES(
            true,
            "read returns maxEntries + 1 entries",
            List.of("Contract#readAndForEachStopAtMaxEntries"),
            patch("EntryReads.java", "result.size() < maxEntries;", "result.size() <= maxEntries;")),
    NOTHING_WHEN_FIRST_EXCEEDS_MAX_BYTES(
            true,
            "read returns nothing when the first entry alone exceeds maxBytes",
            List.of("Contract#readStopsAtMaxBytesButReturnsAtLeastOneEntry"),
            patch(
                    "EntryReads.java",
                    "if (!result.isEmpty() && bytes + size > maxBytes) {",
                    "if (bytes + size > maxBytes) {")),
    GAP_ACCEPTED(
            true,
            "an append may skip indexes",
            List.of("Contract#appendLeavingAGapIsRejected"),
            patch("EntryIndex.java", "if (entry.index() != expected) {", "if (entry.index() < expected) {")),
    TERM_GOING_BACK_ACCEPTED(
            true,
            "an append may go back in term",
            List.of("Contract#batchGoingBackInTermIsRejectedWhole"),
            patch(
                    "EntryIndex.java",
                    "if (entry.term() < previousTerm) {",
                    "if (entry.term() < previousTerm && false) {")),
    LOCK_KEPT_AFTER_CLOSE(
            true,
            "close does not release the directory lock",
            List.of("Contract#closeReleasesTheDirectorySoANewStoreOpensItAtOnce"),
            patch("FileLogStore.java", "try (lock;\n                    file;", "try (file;")),
    EMPTY_APPEND_NOT_A_NO_OP(
            true,
            "an empty append is written (and fails) instead of doing nothing",
            List.of("Contract#appendingNothingChangesNothing"),
            patch(
                    "FileLogStore.java",
                    "            if (entries.isEmpty()) {\n                return;\n            }\n",
                    "")),
    CLOSED_STORE_ANSWERS(
            true,
            "a closed store still answers",
            List.of("Contract#aClosedStoreThrowsIllegalStateExceptionFromEveryMethod"),
            patch(
                    "FileLogStore.java",
                    "    private void checkOpen() {\n        if (closed) {",
                    "    private void checkOpen() {\n        if (closed && false) {")),
    // ---- more of our own ----------------------------------------------------------------------
    METADATA_RENAME_NOT_FORCED(
            false,
            "a small file's rename is not made durable: the directory is not forced",
            List.of("Crash#everyCompletedCallSurvivesPowerLoss"),
            patch(
                    "FileIo.java",
                    "        forceDirectory(directory);\n    }\n\n    /**\n     * The body {@link #replaceAtomically}",
                    "    }\n\n    /**\n     * The body {@link #replaceAtomically}")),
    HEADER_CHECKSUM_IGNORED(
            false,
            "a frame header's CRC32C is not checked",
            List.of("Crash#everyCompletedCallSurvivesPowerLoss"), // not the flip-anywhere test: see docs/TESTING.md
            patch("Frames.java", "|| buffer.getInt(offset + HEADER_CRC) != headerCrc(buffer, offset)) {", ") {")),
    SMALL_FILE_CHECKSUM_IGNORED(
            false,
            "the hard state and metadata files are read without checking their CRC32C",
            List.of("Corruption#flippedPayloadBytesAreDetected"),
            patch("FileIo.java", " || content.getInt(0) != checksum(content)) {", ") {")),
    TRUNCATE_PREFIX_NOT_REPLAYED(
            false,
            "recovery skips prefix truncations: compacted entries come back after reopening",
            List.of("Contract#prefixTruncationSurvivesReopening"),
            patch(
                    "LogRecovery.java",
                    "                index.truncatePrefix(frame.index());\n",
                    "                // forgotten: index.truncatePrefix(frame.index());\n")),
    REPLACE_NOT_REPLAYED(
            false,
            "recovery skips replaced entries: the damaged original comes back after reopening",
            List.of("Contract#replaceRewritesOneEntryAndNothingElse"),
            patch(
                    "LogRecovery.java",
                    "                index.replace(frame.index(), frame.position(), frame.payloadLength());",
                    "                // forgotten: index.replace(frame.index(), frame.position(), frame.payloadLength());"));

    /** One textual change: {@code original}, which must occur exactly once in {@code file}, becomes {@code replacement}. */
    record Patch(String file, String original, String replacement) {
        void applyTo(Path source, String bug) throws IOException {
            String text = Files.readString(source, StandardCharsets.UTF_8);
            int at = text.indexOf(original);
            if (at < 0 || text.indexOf(original, at + 1) >= 0) {
                throw new IllegalStateException("seeded bug " + bug + " no longer applies: " + file
                        + (at < 0 ? " no longer contains " : " contains more than once ") + "\n" + original
                        + "\nupdate its patch in SeededBug to the store's current code");
            }
            Files.writeString(source, text.replace(original, replacement), StandardCharsets.UTF_8);
        }
    }

    private final boolean userListed;
    private final String description;
    private final List<String> caughtBy;
    private final List<Patch> patches;

    SeededBug(boolean userListed, String description, List<String> caughtBy, Patch... patches) {
        this.userListed = userListed;
        this.description = description;
        this.caughtBy = caughtBy;
        this.patches = List.of(patches);
    }

    boolean userListed() {
        return userListed;
    }

    String description() {
        return description;
    }

    /** The tests that must fail on this bug, as {@code Contract#name}, {@code Crash#name} or {@code Corruption#name}. */
    List<String> caughtBy() {
        return caughtBy;
    }

    List<Patch> patches() {
        return patches;
    }

    private static Patch patch(String file, String original, String replacement) {
        return new Patch(file, original, replacement);
    }
}
