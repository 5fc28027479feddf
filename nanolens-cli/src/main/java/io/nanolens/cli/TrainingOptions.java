package io.nanolens.cli;

import io.nanolens.train.TrainConfig;
import picocli.CommandLine.Option;

/** How to train, on the command line: every field of a {@link TrainConfig}, defaulting to its constants. */
final class TrainingOptions {
    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default: " + TrainConfig.DEFAULT_STEPS
            + "; with --resume: the saved run's).")
    Integer steps;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "" + TrainConfig.DEFAULT_BATCH,
            description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq-len", paramLabel = "T", description = "Tokens per sequence (default: the model's context).")
    Integer seqLen;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "" + TrainConfig.DEFAULT_MATRIX_LR,
            description = "Learning rate of the block matrices (default: ${DEFAULT-VALUE}).")
    float matrixLr;

    @Option(names = "--embedding-lr", paramLabel = "LR", defaultValue = "" + TrainConfig.DEFAULT_EMBEDDING_LR,
            description = "Learning rate of the token embedding (default: ${DEFAULT-VALUE}).")
    float embeddingLr;

    @Option(names = "--unembedding-lr", paramLabel = "LR", defaultValue = "" + TrainConfig.DEFAULT_UNEMBEDDING_LR,
            description = "Learning rate of the output head (default: ${DEFAULT-VALUE}).")
    float unembeddingLr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "MUON",
            description = "Optimizer of the block matrices: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TrainConfig.MatrixOptimizer optimizer;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + TrainConfig.DEFAULT_WARMUP_STEPS,
            description = "Steps of learning-rate warm-up (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmdown", paramLabel = "F", defaultValue = "" + TrainConfig.DEFAULT_WARMDOWN_FRACTION,
            description = "Fraction of the run over which the rate falls to zero (default: ${DEFAULT-VALUE}).")
    float warmdown;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "" + TrainConfig.DEFAULT_WEIGHT_DECAY,
            description = "AdamW weight decay of the block matrices (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--grad-clip", paramLabel = "N", defaultValue = "" + TrainConfig.DEFAULT_GRAD_CLIP,
            description = "Largest global gradient norm, 0 = no clipping (default: ${DEFAULT-VALUE}).")
    float gradClip;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "" + TrainConfig.DEFAULT_EVAL_EVERY,
            description = "Steps between validation losses (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", paramLabel = "N", defaultValue = "" + TrainConfig.DEFAULT_EVAL_BATCHES,
            description = "Validation batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "" + TrainConfig.DEFAULT_CHECKPOINT_EVERY,
            description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + TrainConfig.DEFAULT_SEED,
            description = "Seed of the initial weights (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The config for a model whose context is {@code context} tokens. */
    TrainConfig config(int context) {
        return new TrainConfig(batch, seqLen != null ? seqLen : context, steps != null ? steps
                : TrainConfig.DEFAULT_STEPS, matrixLr, embeddingLr, unembeddingLr, optimizer, warmup, warmdown,
                TrainConfig.DEFAULT_FINAL_LR_FRACTION, weightDecay, gradClip, evalEvery, evalBatches,
                checkpointEvery, seed);
    }
}
