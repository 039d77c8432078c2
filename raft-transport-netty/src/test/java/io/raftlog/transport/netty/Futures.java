package io.raftlog.transport.netty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waiting for futures in tests, with a deadline. */
public final class Futures {
    private Futures() {}

    /** The error {@code future} fails with within 10 s; an assertion error if it completes or hangs. */
    public static Throwable failure(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("expected the future to fail", e);
        }
        throw new AssertionError("expected the future to fail, it completed with " + future.join());
    }
}
