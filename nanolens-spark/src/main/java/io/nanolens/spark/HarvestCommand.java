package io.nanolens.spark;

import io.nanolens.NanolensException;
import io.nanolens.io.Dtype;
import io.nanolens.sae.store.ActivationManifest;
import io.nanolens.sae.store.HarvestConfig;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./nanolens spark harvest}: {@code collect} as a Spark job ({@link SparkHarvest}), writing shards and a
 * manifest to any Hadoop-compatible directory.
 */
@Command(name = "harvest", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Harvest a model's activations at a hook point into shards, as a Spark job.",
        footer = {"", "OUT (a local directory, hdfs://... or s3a://...) gets the shards of each",
                "partition, part-PPPPP-shard-SSSSS.safetensors, and manifest.json, written last:",
                "the format of ./nanolens collect, and the same rows in the same order whatever",
                "--partitions is.",
                "", "Examples:",
                "  ./nanolens spark harvest --model runs/demo/model \\",
                "      --hook blocks.2.hook_resid_post --corpus tinyworld --tokens 2000000 \\",
                "      --out runs/demo/acts",
                "  ./nanolens spark harvest --master local[2] --model hdfs:///m/tiny \\",
                "      --hook blocks.1.mlp.hook_post --corpus hdfs:///data/web.jsonl \\",
                "      --tokens 100000000 --dtype bf16 --out hdfs:///acts/tiny"})
final class HarvestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SparkOptions spark;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model directory.")
    String model;

    @Option(names = "--hook", required = true, paramLabel = "H", description = "Hook point, e.g. "
            + "blocks.2.hook_resid_post.")
    String hook;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions the corpus is split into (default: twice the cores of the cluster).")
    Integer partitions;

    @Option(names = "--corpus", required = true, paramLabel = "SRC", description = "tinyworld[:SEED[:STORIES]], a "
            + ".jsonl file (also on HDFS / S3A), or any other local corpus.")
    String corpus;

    @Option(names = "--tokens", required = true, paramLabel = "N", description = "Activation rows to harvest "
            + "(fewer if the corpus ends first).")
    long tokens;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The activation directory.")
    String out;

    @Option(names = "--context-size", paramLabel = "C",
            description = "Tokens per context (default: " + HarvestConfig.DEFAULT_CONTEXT_SIZE
                    + " or the model's context if shorter).")
    Integer contextSize;

    @Option(names = "--dtype", paramLabel = "T", defaultValue = "f32",
            description = "How shards store the values: f32 or bf16 (half the size) (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--keep-bos", description = "Keep rows at beginning-of-document positions.")
    boolean keepBos;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Dtype stored = dtype(dtype);
        try (JavaSparkContext context = spark.open("nanolens harvest")) {
            int split = SparkOptions.partitions(context, partitions);
            w.printf(Locale.ROOT, "spark  : %s, %d partitions%n", context.master(), split);
            w.flush();
            SparkHarvest.Report r = SparkHarvest.run(context, new SparkHarvest.Settings(model, hook, corpus,
                    contextSize, keepBos, tokens, stored, out, split));
            ActivationManifest m = r.manifest();
            long bytes = m.tokens() * m.dIn() * stored.byteSize();
            w.printf(Locale.ROOT, "wrote  : %,d rows x %d (%s, %.1f MB, %.0f bytes per row) in %d shards to %s%n",
                    m.tokens(), m.dIn(), m.dtype(), bytes / 1e6, (double) bytes / m.tokens(), m.shards().size(),
                    r.out());
            w.printf(Locale.ROOT, "time   : plan %.1f s, harvest %.1f s (%,.0f rows/s); tasks %.1f s, of which "
                    + "CPU %.1f s (%,.0f rows per CPU-second)%n", r.planSeconds(), r.harvestSeconds(),
                    m.tokens() / Math.max(r.harvestSeconds(), 1e-9), r.taskSeconds(), r.taskCpuSeconds(),
                    m.tokens() / Math.max(r.taskCpuSeconds(), 1e-9));
            w.printf(Locale.ROOT, "normalisation factor %.6f (sqrt(d_in) / mean norm over all rows)%n",
                    m.normScalingFactor());
            w.println("next   : ./nanolens spark sweep --activations " + out + " --sae topk-x8-k32 --tokens "
                    + m.tokens() + " --out DIR");
        }
        return 0;
    }

    private static Dtype dtype(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> Dtype.F32;
            case "bf16", "bfloat16" -> Dtype.BF16;
            default -> throw new NanolensException("unknown --dtype '" + name + "'; choose f32 or bf16");
        };
    }
}
