package io.nanolens.train;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LrScheduleTest {

    /** nanochat's get_lr_multiplier (scripts/base_train.py), written out independently. */
    private static double nanochat(int it, int steps, int warmup, double warmdownRatio, double finalFrac) {
        int warmdown = (int) Math.round(warmdownRatio * steps);
        if (it < warmup) {
            return (it + 1) / (double) warmup;
        } else if (it <= steps - warmdown) {
            return 1.0;
        }
        double progress = (steps - it) / (double) warmdown;
        return progress + (1 - progress) * finalFrac;
    }

    @Test
    void linearScheduleMatchesNanochatAtEveryStep() {
        LrSchedule s = new LrSchedule(100, 10, 0.2f, 0.1f, LrSchedule.Decay.LINEAR);
        for (int it = 0; it < 100; it++) {
            assertEquals(nanochat(it, 100, 10, 0.2, 0.1), s.multiplier(it), 1e-6, "step " + it);
        }
    }

    @Test
    void warmupRisesLinearlyThenHoldsThenFallsToTheFinalFraction() {
        LrSchedule s = new LrSchedule(50, 5, 0.4f, 0f, LrSchedule.Decay.COSINE);
        for (int it = 0; it < 5; it++) {
            assertEquals((it + 1) / 5f, s.multiplier(it), 1e-6);
        }
        for (int it = 5; it <= 30; it++) {
            assertEquals(1f, s.multiplier(it));
        }
        for (int it = 31; it < 50; it++) {
            assertTrue(s.multiplier(it) < s.multiplier(it - 1), "falls at step " + it);
            double progress = (50 - it) / 20.0;
            assertEquals((1 - Math.cos(Math.PI * progress)) / 2, s.multiplier(it), 1e-6);
        }
        assertEquals(0f, s.multiplier(50), 1e-6);
    }

    @Test
    void noWarmdownKeepsTheRateConstant() {
        LrSchedule s = new LrSchedule(7, 0, 0f, 0f, LrSchedule.Decay.LINEAR);
        for (int it = 0; it < 7; it++) {
            assertEquals(1f, s.multiplier(it));
        }
    }

    @Test
    void rejectsOutOfRangeSettings() {
        assertThrows(NanolensException.class, () -> new LrSchedule(0, 0, 0.2f, 0f, LrSchedule.Decay.LINEAR));
        assertThrows(NanolensException.class, () -> new LrSchedule(10, 11, 0.2f, 0f, LrSchedule.Decay.LINEAR));
        assertThrows(NanolensException.class, () -> new LrSchedule(10, 0, 1.5f, 0f, LrSchedule.Decay.LINEAR));
    }
}
