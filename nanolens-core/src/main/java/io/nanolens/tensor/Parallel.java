package io.nanolens.tensor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * The one place kernels get threads from: a fixed pool of {@link #threads()} workers (system property
 * {@code nanolens.threads}, default every core) and a loop that hands out task indices dynamically, so both cores
 * stay busy to the end even when tasks differ in cost. Small loops run on the caller's thread.
 */
public final class Parallel {
    private static final int THREADS = Integer.getInteger("nanolens.threads",
            Runtime.getRuntime().availableProcessors());
    // A loop started from inside a worker runs serially: waiting on the pool from the pool could deadlock.
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);

    private static final ExecutorService POOL = Executors.newFixedThreadPool(Math.max(1, THREADS - 1), r -> {
        Thread t = new Thread(() -> {
            IN_WORKER.set(true);
            r.run();
        }, "nanolens-worker");
        t.setDaemon(true);
        return t;
    });

    /** Body of a parallel loop: handles task {@code index} on worker {@code worker} (0 ≤ worker < threads). */
    @FunctionalInterface
    public interface Task {
        void run(int index, int worker);
    }

    private Parallel() {
    }

    public static int threads() {
        return Math.max(1, THREADS);
    }

    /** Runs {@code body(i)} for every i in [0, tasks), spread over the pool; returns when all are done. */
    public static void forEach(int tasks, Task body) {
        int workers = Math.min(threads(), tasks);
        if (workers <= 1 || IN_WORKER.get()) {
            for (int i = 0; i < tasks; i++) {
                body.run(i, 0);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> helpers = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            int worker = w;
            helpers.add(POOL.submit(() -> drain(next, tasks, body, worker)));
        }
        drain(next, tasks, body, 0);
        for (Future<?> f : helpers) {
            await(f);
        }
    }

    /** Splits [0, n) into chunks of at least {@code grain} and runs {@code body(from, to)} on each. */
    public static void forRange(int n, int grain, RangeTask body) {
        int chunks = Math.max(1, Math.min(threads() * 4, n / Math.max(1, grain)));
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        forEach(chunks, (c, w) -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static void drain(AtomicInteger next, int tasks, Task body, int worker) {
        for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
            body.run(i, worker);
        }
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a parallel task", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
