package io.raftlog.core;

import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.protocol.Ready;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The node's I/O thread: makes each {@link Ready}'s hard state and entries durable, in order,
 * then sends the messages that waited for them (votes, acknowledgements) and reports the durable
 * index back to the event loop. Readys that queue up while a write is in progress are merged
 * into one write: under load, many batches share one fsync.
 *
 * <p><b>Inline.</b> For a store whose writes never block or fail for a while (the in-memory
 * store), {@link #inline} does each write on the caller's thread — the event loop — at once:
 * no I/O thread, no hand-off to it and back per batch. Everything else is the same, in the same
 * order: the durable report still reaches the loop through its listener, as a later event.
 */
final class StorageWriter implements LogWriter {
    /** Queued by {@link #stop()}: everything before it is written, then the thread ends. */
    private static final Ready STOP = new Ready(java.util.Optional.empty(), List.of(), List.of(), List.of(), 0, 0);

    private final LogStore store;
    private final Transport transport;
    private final Listener listener;
    /** Readys, and {@link Metadata} writes among them. */
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

    private final Thread thread;
    private final List<Object> drained = new ArrayList<>();
    private final List<Ready> readies = new ArrayList<>();
    private final Runnable writeReadies = () -> write(readies);

    private record Metadata(String name, io.raftlog.api.Bytes value) {}

    private record Repair(LogEntry entry, Runnable whenDurable) {}

    /** A change to the log's extent, in order with the Readys: a reset, or a prefix removal. */
    private record Extent(boolean reset, long index, long term) {}

    private final List<LogEntry> pending = new ArrayList<>();
    private volatile boolean stopped;
    /** Set when a write failed for good: the thread has ended (inline: nothing more is written). */
    private volatile boolean failed;

    private final Consumer<Long> writeObserver;

    StorageWriter(String name, LogStore store, Transport transport, Listener listener, Consumer<Long> writeObserver) {
        this(name, store, transport, listener, writeObserver, false);
    }

    private StorageWriter(
            String name,
            LogStore store,
            Transport transport,
            Listener listener,
            Consumer<Long> writeObserver,
            boolean inline) {
        this.store = store;
        this.transport = transport;
        this.listener = listener;
        this.writeObserver = writeObserver;
        if (inline) {
            this.thread = null;
        } else {
            this.thread = new Thread(this::run, name);
            this.thread.setDaemon(true);
        }
    }

    /**
     * A writer that writes on the thread that submits, at once (see the class comment): only for a
     * store whose writes neither block nor fail for a while, or the event loop would wait on them.
     */
    static StorageWriter inline(LogStore store, Transport transport, Listener listener, Consumer<Long> writeObserver) {
        return new StorageWriter(null, store, transport, listener, writeObserver, true);
    }

    @Override
    public void start() {
        if (thread != null) {
            thread.start();
        }
    }

    @Override
    public void submit(Ready ready) {
        enqueue(ready);
    }

    @Override
    public void saveMetadata(String name, io.raftlog.api.Bytes value) {
        enqueue(new Metadata(name, value));
    }

    @Override
    public void repair(LogEntry entry, Runnable whenDurable) {
        enqueue(new Repair(entry, whenDurable));
    }

    @Override
    public void reset(long index, long term) {
        enqueue(new Extent(true, index, term));
    }

    @Override
    public void truncatePrefix(long toIndex) {
        enqueue(new Extent(false, toIndex, 0));
    }

    private void enqueue(Object item) {
        if (thread != null) {
            queue.add(item);
            return;
        }
        if (stopped || failed) {
            return; // as a stopped or failed thread would: never written
        }
        drained.add(item);
        guarded(() -> {
            writeDrained();
            return true;
        });
    }

    private void run() {
        guarded(() -> {
            while (true) {
                Object first = queue.take();
                drained.add(first);
                queue.drainTo(drained);
                boolean stop = drained.removeIf(item -> item == STOP);
                if (!writeDrained() || stop) {
                    return true;
                }
            }
        });
    }

    /** What was drained, in order, merged where it can be; false if stopped while the disk was failing. */
    private boolean writeDrained() {
        try {
            for (Object item : drained) {
                if (item instanceof Metadata metadata) {
                    if (!writeUntilDone(() -> store.saveMetadata(metadata.name(), metadata.value()))) {
                        return false;
                    }
                } else if (item instanceof Repair repair) {
                    if (!writeUntilDone(() -> store.replace(repair.entry()))) {
                        return false;
                    }
                    repair.whenDurable().run();
                } else if (item instanceof Extent extent) {
                    // In order: what was queued before it is written first.
                    if (!writeUntilDone(writeReadies)) {
                        return false;
                    }
                    readies.clear();
                    if (!writeUntilDone(() -> changeExtent(extent))) {
                        return false;
                    }
                } else {
                    readies.add((Ready) item);
                }
            }
            // false: stopped while the disk was failing; what is unwritten is lost, as in a crash
            return writeUntilDone(writeReadies);
        } finally {
            drained.clear();
            readies.clear();
        }
    }

    private interface Work {
        boolean run() throws InterruptedException;
    }

    /** Runs {@code work}; a failure for good is reported to the listener once, and nothing is written after it. */
    private void guarded(Work work) {
        try {
            work.run();
        } catch (InterruptedException e) {
            // shutting down
        } catch (RuntimeException e) {
            failed = true;
            if (!stopped) {
                listener.failed(e);
            }
        } catch (Error e) {
            failed = true;
            // An Error (out of memory…) must not leave a node that looks alive but never writes again.
            if (!stopped) {
                listener.failed(new IllegalStateException("the storage writer died: " + e, e));
            }
            throw e;
        }
    }

    /**
     * Runs {@code write}, retrying with back-off (10 ms doubling to 1 s) while the store fails
     * with a transient error; a store write changes nothing when it fails, and a retry rewrites the
     * whole merged batch, so nothing is reported or sent until all of it is durable.
     *
     * @return false if the writer was stopped before the write succeeded
     */
    private boolean writeUntilDone(Runnable write) {
        long backoffNanos = MIN_BACKOFF_NANOS;
        boolean failing = false;
        while (true) {
            try {
                write.run();
                if (failing) {
                    listener.writeRecovered();
                }
                return true;
            } catch (RuntimeException e) {
                if (!LogWriter.isTransient(e) || stopped) {
                    throw e;
                }
                failing = true;
                listener.writeFailing(e);
                java.util.concurrent.locks.LockSupport.parkNanos(this, backoffNanos);
                if (stopped) {
                    return false;
                }
                backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
            }
        }
    }

    private static final long MIN_BACKOFF_NANOS = 10_000_000L;
    private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;

    private void write(List<Ready> readies) {
        pending.clear(); // left over from an attempt that failed
        long started = System.nanoTime();
        HardState hardState = null;
        for (Ready ready : readies) {
            if (ready.hardState().isPresent()) {
                hardState = ready.hardState().get();
            }
        }
        if (hardState != null) {
            store.saveHardState(hardState);
        }
        LogEntry last = null;
        long lastEpoch = 0;
        for (Ready ready : readies) {
            List<LogEntry> entries = ready.entries();
            if (entries.isEmpty()) {
                continue;
            }
            long first = entries.get(0).index();
            if (!pending.isEmpty() && first != pending.get(pending.size() - 1).index() + 1) {
                appendPending();
            }
            if (pending.isEmpty() && first <= store.lastIndex()) {
                store.truncateSuffix(first); // a follower replacing a conflicting suffix
            }
            pending.addAll(entries);
            last = ready.lastEntry();
            lastEpoch = ready.logEpoch();
        }
        appendPending();
        if (hardState != null || last != null) {
            writeObserver.accept(System.nanoTime() - started);
        }
        for (Ready ready : readies) {
            List<RaftMessage> messages = ready.messagesAfterPersist();
            if (!messages.isEmpty()) {
                transport.send(messages);
            }
        }
        if (last != null) {
            listener.durable(last.index(), last.term(), lastEpoch);
        }
    }

    private void changeExtent(Extent extent) {
        if (extent.reset()) {
            store.reset(extent.index(), extent.term());
        } else if (extent.index() > store.firstIndex() && extent.index() <= store.lastIndex() + 1) {
            store.truncatePrefix(extent.index());
        }
    }

    private void appendPending() {
        if (!pending.isEmpty()) {
            store.append(pending);
            pending.clear();
        }
    }

    /** Finishes the writes already queued, then stops the thread. */
    @Override
    public void stop() {
        stopped = true;
        if (thread == null) {
            return; // inline: every write is done when its call returns
        }
        queue.add(STOP);
        java.util.concurrent.locks.LockSupport.unpark(thread); // cut a back-off short
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
