package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.train.SaeTrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./nanolens train-sae}: trains one SAE, or a sweep of them on one activation stream, on a model's
 * activations at a hook point (harvested on the fly or collected before) into SAELens directories.
 */
@Command(name = "train-sae", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train sparse autoencoders on a model's activations at a hook point.",
        footer = {"", "One SAE is saved into DIR itself, a sweep (several --arch, or comma lists of",
                "--expansion, --k, --l1) into DIR/NAME/ each, e.g. DIR/topk-x8-k32, all trained",
                "on the same rows. An SAE directory is SAELens's layout: cfg.json,",
                "sae_weights.safetensors, sparsity.safetensors (log10 feature densities on the",
                "last rows trained on). Activations are scaled to mean norm sqrt(d_in) while",
                "training (SAELens's expected_average_only_in); the saved weights take raw",
                "activations. DIR also gets train_sae.json, metrics.jsonl and checkpoint/.",
                "Ctrl-C stops at a checkpoint; --resume continues with the saved settings.",
                "", "Examples:",
                "  ./nanolens train-sae --model runs/demo/model \\",
                "      --hook blocks.2.hook_resid_post --corpus tinyworld --arch topk \\",
                "      --expansion 8 --k 32 --tokens 2000000 --out runs/sae",
                "  ./nanolens train-sae --model runs/demo/model \\",
                "      --hook blocks.2.hook_resid_post --activations runs/acts \\",
                "      --arch topk,relu --k 16,32 --l1 1,5 --tokens 4000000 --out runs/sweep \\",
                "      --live",
                "  ./nanolens train-sae --out runs/sae --resume"})
final class TrainSaeCommand implements Callable<Integer> {
    /** The seed of {@link SaeTrainingConfig#of}. */
    static final long DEFAULT_SEED = 42;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "The model directory (needed unless --resume).")
    Path model;

    @Option(names = "--hook", paramLabel = "H", description = "Hook point, e.g. blocks.2.hook_resid_post.")
    String hook;

    @Option(names = "--arch", split = ",", paramLabel = "A", description = "Architecture(s): topk, batchtopk, "
            + "matryoshka, relu, jumprelu, gated; repeat or comma-separate for a sweep (default: topk).")
    List<String> architectures = new ArrayList<>();

    @Option(names = "--expansion", split = ",", paramLabel = "E",
            description = "d_sae / d_in, one or a list (default: " + SaeSweep.DEFAULT_EXPANSION + ").")
    List<Integer> expansions = new ArrayList<>();

    @Option(names = "--k", split = ",", paramLabel = "K", description = "Latents kept per row by topk, batchtopk, "
            + "matryoshka; one or a list (default: " + SaeConfig.DEFAULT_K + ").")
    List<Integer> ks = new ArrayList<>();

    @Option(names = "--l1", split = ",", paramLabel = "C", description = "Sparsity coefficient of relu, gated (L1) "
            + "and jumprelu (L0); one or a list (default: " + SaeConfig.DEFAULT_SPARSITY_COEFFICIENT + ").")
    List<Float> coefficients = new ArrayList<>();

    @Option(names = "--tokens", paramLabel = "N", description = "Activation rows to train on (needed unless --resume).")
    Long tokens;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The run directory.")
    Path out;

    @Option(names = "--activations", paramLabel = "DIR", description = "Rows collected by ./nanolens collect "
            + "(default: harvest on the fly).")
    Path activations;

    @Option(names = "--corpus", paramLabel = "SRC", description = "The text to harvest from on the fly.")
    String corpus;

    @Option(names = "--context-size", paramLabel = "C",
            description = "Tokens per context of the harvest (default: 128 or the model's context if shorter).")
    Integer contextSize;

    @Option(names = "--keep-bos", description = "Keep rows at beginning-of-document positions in the harvest.")
    boolean keepBos;

    @Option(names = "--resume", description = "Continue the run saved in --out.")
    boolean resume;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "" + SaeTrainingConfig.DEFAULT_BATCH_ROWS,
            description = "Rows per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0",
            description = "Adam learning rate (default: 2e-4 / sqrt(d_sae / 16384) per SAE).")
    float lr;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + DEFAULT_SEED,
            description = "Seed of the initial weights and the shuffle (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--live", description = "Show loss and L0 curves and the density histogram, redrawn in the "
            + "terminal.")
    boolean live;

    @Override
    public Integer call() {
        SaeTraining.run(out, request(), resume, live, spec.commandLine().getOut());
        return 0;
    }

    /** What the options ask for; null for a bare {@code --out DIR --resume}. */
    private SaeTraining.Request request() {
        if (model == null) {
            if (resume) {
                return null;
            }
            throw new NanolensException("train-sae needs --model DIR (or --resume to continue the run in " + out
                    + ")");
        }
        if (tokens == null) {
            throw new NanolensException("train-sae needs --tokens N, the activation rows to train on");
        }
        SaeTrainingConfig training = SaeTrainingConfig.of(tokens).withBatchRows(batch).withLr(lr).withSeed(seed);
        SaeSweep sweep = new SaeSweep(architectures.isEmpty() ? List.of("topk") : architectures, expansions, ks,
                coefficients);
        return new SaeTraining.Request(model.normalize().toString(), hook,
                activations == null ? null : activations.normalize().toString(), corpus, contextSize, keepBos, sweep,
                training);
    }
}
