package io.nanolens.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void forEachRunsEveryTaskExactlyOnce() {
        int tasks = 1000;
        AtomicIntegerArray seen = new AtomicIntegerArray(tasks);
        Parallel.forEach(tasks, (i, w) -> seen.incrementAndGet(i));
        for (int i = 0; i < tasks; i++) {
            assertEquals(1, seen.get(i), "task " + i);
        }
    }

    @Test
    void forRangeCoversTheRangeWithoutOverlap() {
        int n = 12345;
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        Parallel.forRange(n, 10, (from, to) -> {
            for (int i = from; i < to; i++) {
                seen.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, seen.get(i), "index " + i);
        }
    }

    @Test
    void nestedLoopsCompleteWithoutDeadlock() {
        AtomicIntegerArray seen = new AtomicIntegerArray(64);
        Parallel.forEach(8, (i, w) -> Parallel.forEach(8, (j, w2) -> seen.incrementAndGet(i * 8 + j)));
        for (int i = 0; i < 64; i++) {
            assertEquals(1, seen.get(i));
        }
    }

    @Test
    void anExceptionInATaskReachesTheCaller() {
        assertThrows(IllegalStateException.class, () -> Parallel.forEach(100, (i, w) -> {
            if (i == 57) {
                throw new IllegalStateException("task 57");
            }
        }));
    }
}
