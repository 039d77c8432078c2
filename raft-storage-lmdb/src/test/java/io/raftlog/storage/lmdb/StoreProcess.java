package io.raftlog.storage.lmdb;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The main class of child JVMs in the multi-process tests (the crash tests run raft-testkit's own
 * child, see {@link LmdbLogStoreCrashIT}).
 *
 * <ul>
 *   <li>{@code hold DIR}: opens the store, prints {@code OPEN pid}, and keeps it open until its
 *       stdin closes.</li>
 *   <li>{@code open DIR}: opens the store and prints {@code OPENED} or the error.</li>
 * </ul>
 *
 * Each line ends in {@code " ."}, so a line cut short is told from a whole one.
 */
public final class StoreProcess {
    private StoreProcess() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        Path directory = Path.of(args[1]);
        switch (args[0]) {
            case "hold" -> {
                try (LmdbLogStore store = LmdbLogStore.open(directory)) {
                    say(out, "OPEN " + ProcessHandle.current().pid());
                    while (System.in.read() != -1) {
                        // hold the store until the parent closes our stdin
                    }
                }
            }
            case "open" -> {
                try (LmdbLogStore store = LmdbLogStore.open(directory)) {
                    say(out, "OPENED " + store.firstIndex() + " " + store.lastIndex());
                } catch (RuntimeException e) {
                    say(out, "ERROR " + e.getClass().getName() + ": " + e.getMessage());
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void say(PrintStream out, String line) {
        out.println(line + " .");
        out.flush();
    }
}
