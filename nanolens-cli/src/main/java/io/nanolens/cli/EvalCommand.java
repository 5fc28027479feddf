package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.eval.EvalConfig;
import io.nanolens.eval.EvalReport;
import io.nanolens.eval.SaeEvaluation;
import io.nanolens.model.GptFiles;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
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
 * {@code ./nanolens eval}: how good an SAE is on held-out text. Loads the model and the SAE, takes the hook and
 * context size from the SAE's metadata, runs {@link SaeEvaluation} on the corpus's validation part and prints a
 * table ({@link EvalTable}) or, with {@code --json}, one JSON object ({@link EvalReport#toJson}).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure an SAE on the held-out part of a corpus.",
        footer = {"", "Runs the validation part of the corpus (every 100th document) through the",
                "model three times: clean, with the SAE's reconstruction at its hook, and",
                "with the hook zero-ablated; BOS positions are left out. Prints reconstruction",
                "(MSE, FVU, cosine), sparsity (L0, L1, dead and dense latents, density",
                "histogram) and next-token loss (CE clean / with SAE / zero-ablated, CE loss",
                "recovered, KL divergence); --json prints one object (keys in the README).",
                "", "Examples:",
                "  ./nanolens eval --model runs/demo/model --sae runs/demo/sae --corpus tinyworld",
                "  ./nanolens eval --model M --sae S --corpus tinyworld --tokens 20000 --json"})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
    Path model;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "An SAE directory (SAELens layout).")
    Path sae;

    @Option(names = "--corpus", required = true, paramLabel = "SRC",
            description = "tinyworld[:SEED[:STORIES]], a .jsonl, .zip or text file, or a directory; its validation "
                    + "part is evaluated.")
    String corpus;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "" + EvalConfig.DEFAULT_TOKENS,
            description = "Most token positions to evaluate (default: ${DEFAULT-VALUE}).")
    long tokens;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        if (tokens < 1) {
            throw new NanolensException("--tokens must be at least 1, got " + tokens);
        }
        GptFiles.Loaded loaded = GptFiles.load(model);
        SaeDirectory saeDir = SaeLensFormat.read(sae);
        EvalConfig config = EvalConfig.forSae(saeDir.metadata(), loaded.gpt().config(), tokens);
        Corpus text = Corpus.open(corpus);
        EvalReport report;
        try (EvalProgress progress = EvalProgress.of(spec.commandLine().getErr(), tokens)) {
            report = SaeEvaluation.run(loaded.gpt(), loaded.tokenizer(), saeDir.sae(), text, config, progress);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(report.toJson().toString());
        } else {
            Sae s = saeDir.sae();
            out.printf(Locale.ROOT, "SAE %s (%s, %,d latents) at %s%n", sae, s.architecture().id(), s.dSae(),
                    config.hook());
            out.printf(Locale.ROOT, "held out: %s%n", text.validation().description());
            out.printf(Locale.ROOT, "%,d tokens in contexts of %d, BOS positions left out%n%n", report.tokens(),
                    config.contextSize());
            out.print(EvalTable.format(report, s.dSae()));
        }
        out.flush();
        return 0;
    }
}
