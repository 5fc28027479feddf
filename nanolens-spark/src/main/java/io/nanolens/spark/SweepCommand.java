package io.nanolens.spark;

import io.nanolens.sae.train.SaeTrainingConfig;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./nanolens spark sweep}: SAEs trained as independent Spark tasks on collected activations
 * ({@link SparkSweep}), each writing its SAELens directory.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train several SAEs on collected activations, one Spark task each.",
        footer = {"", "Each --sae is named as train-sae names a sweep member: ARCH-xE with -kK",
                "(topk, batchtopk, matryoshka), -l1-C (relu, gated) or -l0-C (jumprelu). Each is",
                "trained alone on the shards (shuffled with --seed, scaled by the manifest's",
                "factor), as train-sae would train it alone, and saved in OUT/NAME: cfg.json,",
                "sae_weights.safetensors, sparsity.safetensors, metrics.jsonl. Activations on",
                "HDFS / S3A are copied once to each executor.",
                "", "Examples:",
                "  ./nanolens spark sweep --activations runs/demo/acts --tokens 2000000 \\",
                "      --sae topk-x8-k16,topk-x8-k32,relu-x8-l1-5 --out runs/demo/sweep",
                "  ./nanolens spark sweep --activations hdfs:///acts/tiny --sae topk-x16-k64 \\",
                "      --sae batchtopk-x16-k64 --tokens 100000000 --out hdfs:///saes/tiny"})
final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SparkOptions spark;

    @Option(names = "--activations", required = true, paramLabel = "DIR",
            description = "Rows written by ./nanolens spark harvest or ./nanolens collect.")
    String activations;

    @Option(names = "--sae", required = true, split = ",", paramLabel = "NAME",
            description = "The SAEs, e.g. topk-x8-k32; repeat or comma-separate.")
    List<String> saes = new ArrayList<>();

    @Option(names = "--tokens", required = true, paramLabel = "N", description = "Activation rows each SAE trains on.")
    long tokens;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the SAE directories go.")
    String out;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "" + SaeTrainingConfig.DEFAULT_BATCH_ROWS,
            description = "Rows per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0",
            description = "Adam learning rate (default: 2e-4 / sqrt(d_sae / 16384) per SAE).")
    float lr;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of the initial weights and the shuffle (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        SaeTrainingConfig training = SaeTrainingConfig.of(tokens).withBatchRows(batch).withLr(lr).withSeed(seed);
        try (JavaSparkContext context = spark.open("nanolens sweep")) {
            w.printf(Locale.ROOT, "spark : %s, %d SAEs, one task each, %d steps of %d rows%n", context.master(),
                    saes.size(), training.steps(), training.batchRows());
            w.flush();
            long started = System.nanoTime();
            List<SparkSweep.Trained> trained = SparkSweep.run(context, new SparkSweep.Settings(activations, saes,
                    training, out));
            for (SparkSweep.Trained t : trained) {
                w.printf(Locale.ROOT, "  %-24s fvu %.4f  L0 %.1f  dead %.1f%%  %.1f s -> %s%n", t.name(), t.fvu(),
                        t.l0(), 100 * t.deadFraction(), t.seconds(), t.dir());
            }
            w.printf(Locale.ROOT, "done  : %d SAEs in %.1f s%n", trained.size(), (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }
}
