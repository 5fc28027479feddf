package io.nanolens.train;

import io.nanolens.NanolensException;

/**
 * The learning-rate multiplier over a run, as nanochat's {@code get_lr_multiplier} (scripts/base_train.py): a linear
 * warm-up over the first {@code warmupSteps} steps, a constant 1, then a warm-down over the last
 * round(warmdownFraction·steps) steps to {@code finalFraction}, linear as nanochat or along a half cosine. The
 * optimizers multiply each group's base rate by it.
 *
 * @param steps            total steps of the run, at least 1
 * @param warmupSteps      steps of linear warm-up, 0 to steps
 * @param warmdownFraction fraction of the run spent warming down, in [0, 1]
 * @param finalFraction    multiplier reached at the end, in [0, 1]
 * @param decay            shape of the warm-down
 */
public record LrSchedule(int steps, int warmupSteps, float warmdownFraction, float finalFraction, Decay decay) {

    /** How the warm-down falls from 1 to the final fraction. */
    public enum Decay {
        /** A straight line, as nanochat. */
        LINEAR,
        /** Half a cosine: slow at both ends. */
        COSINE
    }

    public LrSchedule {
        if (steps < 1) {
            throw new NanolensException("a schedule needs at least 1 step, got " + steps);
        }
        if (warmupSteps < 0 || warmupSteps > steps) {
            throw new NanolensException("warm-up of " + warmupSteps + " steps must be between 0 and the run's "
                    + steps + " steps");
        }
        if (!(warmdownFraction >= 0 && warmdownFraction <= 1) || !(finalFraction >= 0 && finalFraction <= 1)) {
            throw new NanolensException("warm-down fraction " + warmdownFraction + " and final fraction "
                    + finalFraction + " must both be in [0, 1]");
        }
        if (decay == null) {
            throw new NanolensException("the warm-down shape must be LINEAR or COSINE");
        }
    }

    /** Steps of warm-down at the end of the run. */
    public int warmdownSteps() {
        return Math.round(warmdownFraction * steps);
    }

    /** The multiplier for step {@code step} (0-based; steps past the end keep the final value). */
    public float multiplier(int step) {
        if (step < warmupSteps) {
            return (step + 1) / (float) warmupSteps;
        }
        int warmdown = warmdownSteps();
        if (step <= steps - warmdown) {
            return 1f;
        }
        double progress = Math.max(0, (double) (steps - step) / warmdown);   // 1 → 0 over the warm-down
        double shaped = decay == Decay.LINEAR ? progress : (1 - Math.cos(Math.PI * progress)) / 2;
        return (float) (shaped + (1 - shaped) * finalFraction);
    }
}
