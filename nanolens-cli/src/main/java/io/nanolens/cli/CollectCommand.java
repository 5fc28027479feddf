package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.io.Dtype;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.store.ActivationHarvester;
import io.nanolens.sae.store.ActivationManifest;
import io.nanolens.sae.store.ActivationShards;
import io.nanolens.sae.store.HarvestConfig;
import io.nanolens.text.Corpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./nanolens collect}: runs a model over a corpus and writes the activations at one hook point to
 * safetensors shards with a manifest, once, so that SAEs ({@code train-sae --activations}) can train on them
 * again and again without running the model.
 */
@Command(name = "collect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Harvest a model's activations at a hook point into shards on disk.",
        footer = {"", "DIR gets shard_00000.safetensors, ... (one tensor named after the hook, [rows,",
                "d_in]) and manifest.json (model, hook, d_in, dtype, context size, corpus, rows",
                "per shard, and SAELens's normalisation factor sqrt(d_in) / mean norm over all",
                "rows), written last. An earlier collection in DIR is replaced. Documents are",
                "BOS + their tokens, concatenated and cut into contexts; rows at BOS positions",
                "are left out unless --keep-bos.",
                "", "Examples:",
                "  ./nanolens collect --model runs/demo/model --hook blocks.2.hook_resid_post \\",
                "      --corpus tinyworld --tokens 2000000 --out runs/demo/acts",
                "  ./nanolens collect --model runs/tiny --hook blocks.1.mlp.hook_post \\",
                "      --corpus stories.jsonl --tokens 500000 --dtype bf16 --out runs/tiny/acts"})
final class CollectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model directory.")
    Path model;

    @Option(names = "--hook", required = true, paramLabel = "H", description = "Hook point, e.g. "
            + "blocks.2.hook_resid_post.")
    String hook;

    @Option(names = "--corpus", required = true, paramLabel = "SRC", description = "The text to run the model on.")
    String corpus;

    @Option(names = "--tokens", required = true, paramLabel = "N", description = "Activation rows to collect "
            + "(fewer if the corpus ends first).")
    long tokens;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The activation directory.")
    Path out;

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
        PrintWriter printer = spec.commandLine().getOut();
        Dtype stored = dtype(dtype);
        GptFiles.Loaded loaded = GptFiles.load(model);
        GptConfig config = loaded.gpt().config();
        HookPoint point = HookPoint.parse(hook, config);
        Corpus source = Corpus.open(corpus);
        int context = contextSize != null ? contextSize
                : Math.min(HarvestConfig.DEFAULT_CONTEXT_SIZE, config.sequenceLen());
        HarvestConfig harvest = new HarvestConfig(point, context, HarvestConfig.DEFAULT_CONTEXTS_PER_PASS, keepBos,
                tokens);
        printer.printf(Locale.ROOT, "collect: %s at %s (d_in %d) over %s, context %d, BOS %s, up to %,d rows%n",
                model, point, point.width(config), source.description(), context, keepBos ? "kept" : "left out",
                tokens);
        printer.flush();
        ActivationManifest manifest;
        double seconds;
        try (ActivationHarvester harvester = new ActivationHarvester(loaded.gpt(), loaded.tokenizer(), source,
                harvest); RowProgress rows = new RowProgress(harvester, tokens, printer, TrainingProgress.terminal())) {
            String modelName = model.toAbsolutePath().normalize().toString();
            manifest = ActivationShards.write(rows, harvester.origin(modelName), out, stored,
                    ActivationShards.defaultShardRows(harvester.width()));
            seconds = rows.seconds();
        }
        long bytes = manifest.tokens() * manifest.dIn() * stored.byteSize();
        printer.printf(Locale.ROOT, "wrote %,d rows x %d (%s, %.1f MB) in %d shard%s to %s in %s (%,.0f rows/s)%n",
                manifest.tokens(), manifest.dIn(), manifest.dtype(), bytes / 1e6, manifest.shards().size(),
                manifest.shards().size() == 1 ? "" : "s", out, TrainingProgress.duration(seconds),
                manifest.tokens() / Math.max(seconds, 1e-9));
        printer.printf(Locale.ROOT, "normalisation factor %.6f (sqrt(d_in) / mean norm; train-sae scales by it and "
                + "folds it back into the saved weights)%n", manifest.normScalingFactor());
        printer.println("next: ./nanolens train-sae --model " + model + " --hook " + point + " --activations " + out
                + " --tokens " + manifest.tokens() + " --out DIR");
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
