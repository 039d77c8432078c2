package io.raftlog.examples.console;

import io.raftlog.testkit.sim.InteractiveSimulation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The console's cluster and its clock. One thread, the console's own, owns the
 * {@link InteractiveSimulation}: every request is a task on it, and so is each tick of the clock,
 * which advances virtual time by the wall time elapsed times the speed while the run plays. After
 * each change the new state goes to every page listening.
 */
final class ConsoleSession implements AutoCloseable {
    /** Wall time between two ticks of the clock. */
    static final long TICK_MILLIS = 40;
    /** Slowest and fastest speeds: virtual time per wall time. */
    static final double MIN_SPEED = 0.001;

    static final double MAX_SPEED = 2;
    static final double DEFAULT_SPEED = 0.05;
    /** Timeline entries a page gets at most per request. */
    static final int MAX_TIMELINE = 500;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread owner = new Thread(task, "raftlog-console");
        owner.setDaemon(true);
        return owner;
    });
    private final List<BlockingQueue<String>> listeners = new CopyOnWriteArrayList<>();

    // Owned by the console thread.
    private InteractiveSimulation run;
    private boolean playing;
    private double speed = DEFAULT_SPEED;
    /** The furthest step this course of the run reached: the scrubber's end. */
    private long furthest;

    private String lastPublished = "";

    ConsoleSession(long seed, int nodes) {
        this.run = InteractiveSimulation.start(seed, nodes);
        thread.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the console thread and waits for it; what it throws reaches the caller. */
    <T> T call(Callable<T> task) throws Exception {
        try {
            T result = thread.submit(() -> {
                        T value = task.call();
                        publish();
                        return value;
                    })
                    .get(30, TimeUnit.SECONDS);
            return result;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("the console's cluster did not answer within 30 s", e);
        }
    }

    <T> T with(Function<InteractiveSimulation, T> read) throws Exception {
        return call(() -> read.apply(run));
    }

    // ------------------------------------------------------------------ controls (console thread)

    String act(String verb, List<String> args) {
        String done = run.act(verb, args.toArray(String[]::new));
        furthest = run.steps();
        return done;
    }

    String play(boolean on) {
        if (on && run.verdict().isPresent()) {
            throw new IllegalStateException("the run stopped on a broken invariant; reset it or go back in time");
        }
        playing = on;
        return on ? "playing" : "paused";
    }

    /** One step: until something worth showing happens. */
    String step() {
        playing = false;
        List<InteractiveSimulation.TimelineEntry> made = run.step();
        furthest = Math.max(furthest, run.steps());
        return made.isEmpty() ? "nothing happened" : made.get(made.size() - 1).text();
    }

    /** One event of the simulator, whatever it is. */
    String stepEvent() {
        playing = false;
        boolean handled = run.stepEvent();
        furthest = Math.max(furthest, run.steps());
        return handled ? "step " + run.steps() : "no event left";
    }

    String speed(double value) {
        if (!(value >= MIN_SPEED && value <= MAX_SPEED)) {
            throw new IllegalArgumentException(
                    "speed is between " + MIN_SPEED + " and " + MAX_SPEED + ", not " + value);
        }
        speed = value;
        return "speed " + value;
    }

    String seek(long step) {
        if (step < 0 || step > Math.max(furthest, run.steps())) {
            throw new IllegalArgumentException(
                    "the run has reached steps 0.." + Math.max(furthest, run.steps()) + ", not " + step);
        }
        playing = false;
        run.seek(step);
        return "at step " + run.steps();
    }

    String reset(long seed, int nodes) {
        run = InteractiveSimulation.start(seed, nodes);
        playing = false;
        furthest = 0;
        return "new run: seed " + seed + ", " + nodes + " nodes";
    }

    /** The state a page draws: the cluster, the clock, the controls. */
    Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        InteractiveSimulation.View view = run.view();
        state.put("view", view);
        state.put("playing", playing);
        state.put("speed", speed);
        state.put("furthest", Math.max(furthest, view.step()));
        List<InteractiveSimulation.TimelineEntry> last = run.timeline(entry -> true, 1);
        state.put("timelineSequence", last.isEmpty() ? 0 : last.get(0).sequence());
        state.put("report", run.report().orElse(""));
        return state;
    }

    List<InteractiveSimulation.TimelineEntry> timeline(String node, Set<String> kinds, int limit) {
        return run.timeline(
                entry -> (node.isEmpty()
                                || entry.node().equals(node)
                                || entry.text().contains(node + " "))
                        && (kinds.isEmpty() || kinds.contains(entry.kind())),
                Math.min(limit, MAX_TIMELINE));
    }

    // ------------------------------------------------------------------ clock and listeners

    private void tick() {
        try {
            if (playing) {
                run.runFor((long) (TICK_MILLIS * 1_000_000L * speed));
                furthest = Math.max(furthest, run.steps());
                if (run.verdict().isPresent()) {
                    playing = false;
                }
            }
            publish();
        } catch (RuntimeException e) {
            playing = false; // a bug of the console's own: stop the clock, keep serving
            System.err.println("console: the clock stopped: " + e);
        }
    }

    private void publish() {
        String json = Json.write(state());
        if (json.equals(lastPublished)) {
            return;
        }
        lastPublished = json;
        for (BlockingQueue<String> listener : listeners) {
            if (!listener.offer(json)) { // a slow page: it only needs the newest state
                listener.poll();
                listener.offer(json);
            }
        }
    }

    /** A queue the newest states go to, until {@link #unlisten}. */
    BlockingQueue<String> listen() throws Exception {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>(64);
        listeners.add(queue);
        queue.offer(with(ignored -> Json.write(state())));
        return queue;
    }

    void unlisten(BlockingQueue<String> queue) {
        listeners.remove(queue);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
