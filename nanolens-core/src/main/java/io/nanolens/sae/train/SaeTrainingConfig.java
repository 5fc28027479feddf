package io.nanolens.sae.train;

import io.nanolens.NanolensException;

/**
 * How {@link SaeTrainer} trains every SAE of a sweep: rows per step, token budget, Adam, the learning-rate and
 * sparsity-coefficient schedules, dead-latent tracking, resampling and how often to log and checkpoint. The
 * defaults follow the recipe of OpenAI's TopK SAEs as the PyTorch baseline writes it (Adam β = (0.9, 0.999),
 * ε = 6.25e-10, lr = 2e-4/√(m/2¹⁴)) with SAELens's and dictionary_learning's warm-ups.
 *
 * @param batchRows              activation rows per step (SAELens train_batch_size_tokens)
 * @param tokens                 rows to train on; the run has ⌈tokens / batchRows⌉ steps
 * @param lr                     Adam learning rate; 0 picks 2e-4/√(d_sae/2¹⁴) per SAE
 * @param warmupFraction         fraction of the steps of linear learning-rate warm-up from 0
 * @param decayFraction          fraction of the steps at the end over which the rate falls linearly to 0
 * @param sparsityWarmupFraction fraction of the steps over which the sparsity coefficient rises from 0
 * @param beta1                  Adam β1
 * @param beta2                  Adam β2
 * @param eps                    Adam ε
 * @param deadWindowTokens       a latent that has not fired in this many tokens is dead (0 = a fifth of the run,
 *                               at most 10 M)
 * @param resamples              how many times ReLU SAEs resample dead latents, evenly spread over the first half
 * @param logEvery               steps between metrics lines (the last step is always logged)
 * @param checkpointEvery        steps between checkpoints (0 = only at the end and when stopped)
 * @param seed                   seed of initial weights and resampling
 */
public record SaeTrainingConfig(int batchRows, long tokens, float lr, float warmupFraction, float decayFraction,
                                float sparsityWarmupFraction, float beta1, float beta2, float eps,
                                long deadWindowTokens, int resamples, int logEvery, int checkpointEvery, long seed) {

    public static final int DEFAULT_BATCH_ROWS = 4096;
    public static final float DEFAULT_WARMUP_FRACTION = 0.01f;
    public static final float DEFAULT_DECAY_FRACTION = 0.2f;
    public static final float DEFAULT_SPARSITY_WARMUP_FRACTION = 0.05f;
    public static final float DEFAULT_EPS = 6.25e-10f;
    public static final int DEFAULT_RESAMPLES = 2;
    public static final int DEFAULT_LOG_EVERY = 10;
    public static final int DEFAULT_CHECKPOINT_EVERY = 500;
    private static final long MAX_DEAD_WINDOW = 10_000_000;

    public SaeTrainingConfig {
        if (batchRows < 1 || tokens < 1) {
            throw new NanolensException("SAE training needs a batch of at least 1 row and at least 1 token, got batch "
                    + batchRows + ", tokens " + tokens);
        }
        if (!(lr >= 0) || Float.isInfinite(lr)) {
            throw new NanolensException("learning rate must be finite and ≥ 0 (0 = automatic), got " + lr);
        }
        fraction("warm-up fraction", warmupFraction);
        fraction("decay fraction", decayFraction);
        fraction("sparsity warm-up fraction", sparsityWarmupFraction);
        if (warmupFraction + decayFraction > 1) {
            throw new NanolensException("learning-rate warm-up (" + warmupFraction + ") and decay (" + decayFraction
                    + ") fractions add up to more than the whole run");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new NanolensException("Adam needs 0 ≤ β1, β2 < 1 and ε ≥ 0");
        }
        if (deadWindowTokens < 0 || resamples < 0 || logEvery < 1 || checkpointEvery < 0) {
            throw new NanolensException("dead window and resamples must be ≥ 0, log interval ≥ 1 step, checkpoint "
                    + "interval ≥ 0 steps");
        }
    }

    /** The defaults for a run over {@code tokens} rows. */
    public static SaeTrainingConfig of(long tokens) {
        return new SaeTrainingConfig(DEFAULT_BATCH_ROWS, tokens, 0, DEFAULT_WARMUP_FRACTION, DEFAULT_DECAY_FRACTION,
                DEFAULT_SPARSITY_WARMUP_FRACTION, 0.9f, 0.999f, DEFAULT_EPS, 0, DEFAULT_RESAMPLES, DEFAULT_LOG_EVERY,
                DEFAULT_CHECKPOINT_EVERY, 42);
    }

    public SaeTrainingConfig withBatchRows(int rows) {
        return new SaeTrainingConfig(rows, tokens, lr, warmupFraction, decayFraction, sparsityWarmupFraction, beta1,
                beta2, eps, deadWindowTokens, resamples, logEvery, checkpointEvery, seed);
    }

    public SaeTrainingConfig withLr(float rate) {
        return new SaeTrainingConfig(batchRows, tokens, rate, warmupFraction, decayFraction, sparsityWarmupFraction,
                beta1, beta2, eps, deadWindowTokens, resamples, logEvery, checkpointEvery, seed);
    }

    public SaeTrainingConfig withSchedule(float warmup, float decay, float sparsityWarmup) {
        return new SaeTrainingConfig(batchRows, tokens, lr, warmup, decay, sparsityWarmup, beta1, beta2, eps,
                deadWindowTokens, resamples, logEvery, checkpointEvery, seed);
    }

    public SaeTrainingConfig withDeadWindow(long window, int resampleCount) {
        return new SaeTrainingConfig(batchRows, tokens, lr, warmupFraction, decayFraction, sparsityWarmupFraction,
                beta1, beta2, eps, window, resampleCount, logEvery, checkpointEvery, seed);
    }

    public SaeTrainingConfig withIntervals(int log, int checkpoint) {
        return new SaeTrainingConfig(batchRows, tokens, lr, warmupFraction, decayFraction, sparsityWarmupFraction,
                beta1, beta2, eps, deadWindowTokens, resamples, log, checkpoint, seed);
    }

    public SaeTrainingConfig withSeed(long newSeed) {
        return new SaeTrainingConfig(batchRows, tokens, lr, warmupFraction, decayFraction, sparsityWarmupFraction,
                beta1, beta2, eps, deadWindowTokens, resamples, logEvery, checkpointEvery, newSeed);
    }

    /** Optimizer steps in the run. */
    public int steps() {
        return (int) Math.min(Integer.MAX_VALUE, (tokens + batchRows - 1) / batchRows);
    }

    /** The learning rate of an SAE with {@code dSae} latents: the given one, or the 1/√m scaling law's. */
    public float lrFor(int dSae) {
        return lr > 0 ? lr : (float) (2e-4 / Math.sqrt(dSae / 16384.0));
    }

    /** The dead-latent window in tokens. */
    public long deadWindow() {
        return deadWindowTokens > 0 ? deadWindowTokens : Math.min(MAX_DEAD_WINDOW, Math.max(batchRows, tokens / 5));
    }

    /** Learning-rate multiplier at {@code step} (0-based): linear warm-up, flat, linear decay to 0. */
    public float lrMultiplier(int step) {
        int steps = steps();
        int warmup = (int) (warmupFraction * steps);
        int decay = (int) (decayFraction * steps);
        if (step < warmup) {
            return (step + 1) / (float) (warmup + 1);
        }
        int decayStart = steps - decay;
        if (decay > 0 && step >= decayStart) {
            return (steps - step) / (float) (decay + 1);
        }
        return 1f;
    }

    /** Sparsity-coefficient multiplier at {@code step}: linear from 1/(w+1) to 1 over the warm-up, then 1. */
    public float sparsityMultiplier(int step) {
        int warmup = (int) (sparsityWarmupFraction * steps());
        return step < warmup ? (step + 1) / (float) (warmup + 1) : 1f;
    }

    /** Steps (0-based) after which ReLU SAEs resample their dead latents. */
    public boolean resampleAfter(int step) {
        if (resamples == 0) {
            return false;
        }
        int half = steps() / 2;
        int every = half / (resamples + 1);
        return every > 0 && (step + 1) % every == 0 && (step + 1) <= every * resamples;
    }

    private static void fraction(String name, float value) {
        if (!(value >= 0 && value <= 1)) {
            throw new NanolensException(name + " must be in [0, 1], got " + value);
        }
    }
}
