package io.nanolens.train;

import io.nanolens.NanolensException;

/**
 * How {@link GptTrainer} trains a model: batch shape, length of the run, learning rates per parameter group (as
 * nanochat: the token embedding, the output head and the block matrices each get their own), the schedule, decay,
 * clipping, and how often to evaluate and checkpoint. Written into the model directory as
 * {@code train_config.json} and into every checkpoint; a resumed run continues with the saved one.
 *
 * @param batch            sequences per step, B
 * @param seqLen           tokens per sequence, T (at most the model's context)
 * @param steps            optimizer steps in the whole run
 * @param matrixLr         learning rate of the block matrices (attention and MLP weights)
 * @param embeddingLr      learning rate of the token embedding {@code wte}
 * @param unembeddingLr    learning rate of the output head {@code lm_head}
 * @param matrixOptimizer  what updates the block matrices; the embedding and head always use AdamW
 * @param warmupSteps      steps of linear learning-rate warm-up
 * @param warmdownFraction fraction of the run at the end over which the rate falls to {@code finalLrFraction}
 * @param finalLrFraction  learning-rate multiplier at the last step
 * @param weightDecay      AdamW's decoupled weight decay for the block matrices (0 = none)
 * @param gradClip         largest global gradient norm; larger gradients are scaled down to it (0 = no clipping)
 * @param evalEvery        steps between validation losses (the last step is always evaluated)
 * @param evalBatches      validation batches per evaluation, the same ones every time
 * @param checkpointEvery  steps between checkpoints (the last step always gets one)
 * @param seed             seed of the model's initial weights (the data order is fixed by the corpus)
 */
public record TrainConfig(int batch, int seqLen, int steps, float matrixLr, float embeddingLr, float unembeddingLr,
                          MatrixOptimizer matrixOptimizer, int warmupSteps, float warmdownFraction,
                          float finalLrFraction, float weightDecay, float gradClip, int evalEvery, int evalBatches,
                          int checkpointEvery, long seed) {

    /** The optimizer of the block matrices. */
    public enum MatrixOptimizer {
        /** Adam with decoupled weight decay, like every other parameter. */
        ADAMW,
        /** Orthogonalised momentum, as nanochat. */
        MUON
    }

    public static final int DEFAULT_BATCH = 8;
    public static final int DEFAULT_SEQ_LEN = 256;
    public static final int DEFAULT_STEPS = 1000;
    public static final float DEFAULT_MATRIX_LR = 0.02f;
    public static final float DEFAULT_EMBEDDING_LR = 0.2f;
    public static final float DEFAULT_UNEMBEDDING_LR = 0.004f;
    public static final MatrixOptimizer DEFAULT_MATRIX_OPTIMIZER = MatrixOptimizer.MUON;
    public static final int DEFAULT_WARMUP_STEPS = 0;
    public static final float DEFAULT_WARMDOWN_FRACTION = 0.2f;
    public static final float DEFAULT_FINAL_LR_FRACTION = 0f;
    public static final float DEFAULT_WEIGHT_DECAY = 0f;
    public static final float DEFAULT_GRAD_CLIP = 1f;
    public static final int DEFAULT_EVAL_EVERY = 100;
    public static final int DEFAULT_EVAL_BATCHES = 4;
    public static final int DEFAULT_CHECKPOINT_EVERY = 100;
    public static final long DEFAULT_SEED = 42;

    public TrainConfig {
        atLeastOne("batch", batch);
        atLeastOne("seq_len", seqLen);
        atLeastOne("steps", steps);
        positive("matrix_lr", matrixLr);
        positive("embedding_lr", embeddingLr);
        positive("unembedding_lr", unembeddingLr);
        if (matrixOptimizer == null) {
            throw new NanolensException("matrix_optimizer must be ADAMW or MUON");
        }
        if (warmupSteps < 0 || warmupSteps > steps) {
            throw new NanolensException("warmup_steps " + warmupSteps + " must be between 0 and steps " + steps);
        }
        fraction("warmdown_fraction", warmdownFraction);
        fraction("final_lr_fraction", finalLrFraction);
        if (!(weightDecay >= 0 && weightDecay < 1e3) || !(gradClip >= 0 && gradClip < Float.POSITIVE_INFINITY)) {
            throw new NanolensException("weight_decay " + weightDecay + " and grad_clip " + gradClip
                    + " must be finite and ≥ 0 (0 turns them off)");
        }
        atLeastOne("eval_every", evalEvery);
        atLeastOne("eval_batches", evalBatches);
        atLeastOne("checkpoint_every", checkpointEvery);
    }

    /** Every default, with the given batch shape and length. */
    public static TrainConfig of(int batch, int seqLen, int steps) {
        return new TrainConfig(batch, seqLen, steps, DEFAULT_MATRIX_LR, DEFAULT_EMBEDDING_LR, DEFAULT_UNEMBEDDING_LR,
                DEFAULT_MATRIX_OPTIMIZER, DEFAULT_WARMUP_STEPS, DEFAULT_WARMDOWN_FRACTION, DEFAULT_FINAL_LR_FRACTION,
                DEFAULT_WEIGHT_DECAY, DEFAULT_GRAD_CLIP, DEFAULT_EVAL_EVERY, DEFAULT_EVAL_BATCHES,
                DEFAULT_CHECKPOINT_EVERY, DEFAULT_SEED);
    }

    /** Tokens per step, B·T. */
    public long tokensPerStep() {
        return (long) batch * seqLen;
    }

    /** The learning-rate schedule of this run (linear warm-down, as nanochat). */
    public LrSchedule schedule() {
        return new LrSchedule(steps, warmupSteps, warmdownFraction, finalLrFraction, LrSchedule.Decay.LINEAR);
    }

    /** This config with another number of steps (warm-up capped to fit). */
    public TrainConfig withSteps(int newSteps) {
        return new TrainConfig(batch, seqLen, newSteps, matrixLr, embeddingLr, unembeddingLr, matrixOptimizer,
                Math.min(warmupSteps, Math.max(newSteps, 1)), warmdownFraction, finalLrFraction, weightDecay, gradClip,
                evalEvery, evalBatches, checkpointEvery, seed);
    }

    /** This config with other learning rates. */
    public TrainConfig withLearningRates(float matrix, float embedding, float unembedding) {
        return new TrainConfig(batch, seqLen, steps, matrix, embedding, unembedding, matrixOptimizer, warmupSteps,
                warmdownFraction, finalLrFraction, weightDecay, gradClip, evalEvery, evalBatches, checkpointEvery,
                seed);
    }

    /** This config with other evaluation and checkpoint intervals. */
    public TrainConfig withIntervals(int newEvalEvery, int newEvalBatches, int newCheckpointEvery) {
        return new TrainConfig(batch, seqLen, steps, matrixLr, embeddingLr, unembeddingLr, matrixOptimizer,
                warmupSteps, warmdownFraction, finalLrFraction, weightDecay, gradClip, newEvalEvery, newEvalBatches,
                newCheckpointEvery, seed);
    }

    /** This config with another optimizer for the block matrices. */
    public TrainConfig withMatrixOptimizer(MatrixOptimizer optimizer) {
        return new TrainConfig(batch, seqLen, steps, matrixLr, embeddingLr, unembeddingLr, optimizer, warmupSteps,
                warmdownFraction, finalLrFraction, weightDecay, gradClip, evalEvery, evalBatches, checkpointEvery,
                seed);
    }

    /** This config with another seed. */
    public TrainConfig withSeed(long newSeed) {
        return new TrainConfig(batch, seqLen, steps, matrixLr, embeddingLr, unembeddingLr, matrixOptimizer,
                warmupSteps, warmdownFraction, finalLrFraction, weightDecay, gradClip, evalEvery, evalBatches,
                checkpointEvery, newSeed);
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new NanolensException(name + " is " + value + " but must be at least 1");
        }
    }

    private static void positive(String name, float value) {
        if (!(value > 0 && value < Float.POSITIVE_INFINITY)) {
            throw new NanolensException(name + " is " + value + " but must be a finite number > 0");
        }
    }

    private static void fraction(String name, float value) {
        if (!(value >= 0 && value <= 1)) {
            throw new NanolensException(name + " is " + value + " but must be in [0, 1]");
        }
    }
}
