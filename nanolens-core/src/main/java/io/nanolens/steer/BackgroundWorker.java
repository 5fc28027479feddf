package io.nanolens.steer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that runs submitted jobs in order, for {@link Tracking}'s encodes. A decoding step hands it a job
 * every 100–200 µs; waking a parked thread each time cost the generating thread about as much as the encode it
 * gave away, so the worker spins for a short while after its queue empties before it parks, and a submit only
 * unparks it when it has actually parked. A failed job's exception is kept and rethrown by {@link #await}.
 */
final class BackgroundWorker implements AutoCloseable {
    // How long an idle worker keeps watching its queue before parking: a few decoding steps of a small model, short
    // enough that idle workers of several tracked generations do not hold the cores for long.
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private final ConcurrentLinkedQueue<Runnable> jobs = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unfinished = new AtomicInteger();
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    BackgroundWorker(String name) {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code job} behind the jobs already submitted. */
    void submit(Runnable job) {
        if (closed) {
            throw new IllegalStateException("the worker is closed");
        }
        unfinished.incrementAndGet();
        jobs.add(job);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Waits until every submitted job has run; rethrows (once) the first exception a job threw since the last call. */
    void await() {
        for (int spins = 0; unfinished.get() > 0; spins++) {
            if (spins < 1000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
        RuntimeException e = failure;
        if (e != null) {
            failure = null;
            throw e;
        }
    }

    /** Lets the queued jobs finish, then ends the thread; later submits are refused. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }

    private void loop() {
        long idleSince = System.nanoTime();
        while (true) {
            Runnable job = jobs.poll();
            if (job != null) {
                try {
                    job.run();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    }
                } finally {
                    unfinished.decrementAndGet();
                }
                idleSince = System.nanoTime();
            } else if (closed) {
                return;
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                parked = true;
                // A job added after the poll above but before parked was set is seen here; one added later
                // finds parked set and unparks.
                if (jobs.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                parked = false;
                idleSince = System.nanoTime();
            }
        }
    }
}
