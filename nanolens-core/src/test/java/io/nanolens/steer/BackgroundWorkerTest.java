package io.nanolens.steer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackgroundWorkerTest {

    @Test
    void jobsRunInSubmissionOrderAndAwaitReturnsOnlyWhenAllHaveRun() {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundWorker worker = new BackgroundWorker("test")) {
            for (int i = 0; i < 500; i++) {
                int job = i;
                worker.submit(() -> {
                    if (job % 50 == 0) {
                        LockSupport.parkNanos(200_000);     // slow jobs, so the queue backs up
                    }
                    seen.add(job);
                });
            }
            worker.await();
            assertEquals(500, seen.size());
            for (int i = 0; i < 500; i++) {
                assertEquals(i, seen.get(i));
            }
        }
    }

    @Test
    void aJobSubmittedAfterTheWorkerParkedStillRuns() {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundWorker worker = new BackgroundWorker("test")) {
            worker.submit(() -> seen.add(1));
            worker.await();
            LockSupport.parkNanos(20_000_000);              // well past the spin time: the worker has parked
            worker.submit(() -> seen.add(2));
            worker.await();
            assertEquals(List.of(1, 2), seen);
        }
    }

    @Test
    void aFailedJobIsRethrownOnceByAwaitAndLaterJobsStillRun() {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        IllegalStateException boom = new IllegalStateException("boom");
        try (BackgroundWorker worker = new BackgroundWorker("test")) {
            worker.submit(() -> {
                throw boom;
            });
            worker.submit(() -> seen.add(3));
            assertSame(boom, assertThrows(IllegalStateException.class, worker::await));
            assertEquals(List.of(3), seen);
            worker.await();
        }
    }

    @Test
    void closeLetsQueuedJobsFinishAndRefusesNewOnes() {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        BackgroundWorker worker = new BackgroundWorker("test");
        for (int i = 0; i < 20; i++) {
            int job = i;
            worker.submit(() -> {
                LockSupport.parkNanos(100_000);
                seen.add(job);
            });
        }
        worker.close();
        worker.await();
        assertEquals(20, seen.size());
        assertThrows(IllegalStateException.class, () -> worker.submit(() -> seen.add(99)));
    }
}
