package io.raftlog.testkit;

import io.raftlog.api.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Bytes flipped in a store's files, the way bit rot would: one damaged place per round, given as
 * the list of bytes changed so a failure can say exactly what was done.
 */
final class Damage {
    /** One changed byte: {@code file} (relative to the store's directory), its offset, the XOR mask. */
    record Flip(String file, long offset, int mask) {
        @Override
        public String toString() {
            return file + " @" + offset + " ^0x" + Integer.toHexString(mask);
        }
    }

    private Damage() {}

    /**
     * Flips one random byte (or, one time in four, a run of up to 8) anywhere in the files under
     * {@code directory}, a file chosen with a probability proportional to its size.
     */
    static List<Flip> anywhere(Path directory, Random random) throws IOException {
        List<Path> files = files(directory);
        long total = 0;
        for (Path file : files) {
            total += Files.size(file);
        }
        if (total == 0) {
            throw new AssertionError("the store wrote nothing into " + directory + ": there is nothing to damage");
        }
        long at = (long) (random.nextDouble() * total);
        for (Path file : files) {
            long size = Files.size(file);
            if (at < size) {
                int run = random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 1;
                List<Flip> flips = new ArrayList<>();
                for (long offset = at; offset < Math.min(size, at + run); offset++) {
                    flips.add(new Flip(directory.relativize(file).toString(), offset, 1 + random.nextInt(255)));
                }
                apply(directory, flips);
                return flips;
            }
            at -= size;
        }
        throw new IllegalStateException("no byte chosen under " + directory);
    }

    /**
     * Flips one byte of {@code value} (which must hold at least 16 bytes) wherever the store keeps
     * it: the 16 bytes around the chosen byte are searched in every file, and the byte is flipped in
     * each copy found. Returns no flips if the bytes are nowhere (a store that compresses or
     * encrypts).
     */
    static List<Flip> inside(Path directory, Bytes value, Random random) throws IOException {
        byte[] bytes = value.toByteArray();
        int target = random.nextInt(bytes.length);
        int start = Math.max(0, Math.min(target - 8, bytes.length - 16));
        byte[] window = java.util.Arrays.copyOfRange(bytes, start, start + 16);
        int mask = 1 + random.nextInt(255);
        List<Flip> flips = new ArrayList<>();
        for (Path file : files(directory)) {
            byte[] content = Files.readAllBytes(file);
            for (int at = indexOf(content, window, 0); at >= 0; at = indexOf(content, window, at + 1)) {
                flips.add(new Flip(directory.relativize(file).toString(), at + (long) (target - start), mask));
            }
        }
        apply(directory, flips);
        return flips;
    }

    private static void apply(Path directory, List<Flip> flips) throws IOException {
        for (Flip flip : flips) {
            Path file = directory.resolve(flip.file());
            byte[] content = Files.readAllBytes(file);
            content[(int) flip.offset()] ^= (byte) flip.mask();
            Files.write(file, content);
        }
    }

    private static List<Path> files(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] content, byte[] pattern, int from) {
        outer:
        for (int at = from; at <= content.length - pattern.length; at++) {
            for (int i = 0; i < pattern.length; i++) {
                if (content[at + i] != pattern[i]) {
                    continue outer;
                }
            }
            return at;
        }
        return -1;
    }
}
