package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.analysis.AnalysisConfig;
import io.nanolens.analysis.AnalysisResult;
import io.nanolens.analysis.AnalysisSubject;
import io.nanolens.analysis.ContrastSets;
import io.nanolens.analysis.FeatureAnalysis;
import io.nanolens.explorer.StaticExplorer;
import io.nanolens.text.Corpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./nanolens dashboard}: analyses an SAE's features over a corpus in one pass and writes the static explorer
 * (pages that open from file://), then prints the concept-F1 table (tinyworld corpora), the contrast ranking (with
 * {@code --contrast}) and the path of index.html.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Analyse an SAE's features over a corpus and write the feature explorer.",
        footer = {"", "One pass over the corpus keeps, per feature, its top contexts, samples from",
                "activation bands, a histogram, density and max activation; the weights give logit",
                "effects and decoder neighbours. On a tinyworld corpus every concept gets its best",
                "feature by F1. Open OUT/index.html in a browser: no server needed.",
                "", "Examples:",
                "  ./nanolens dashboard --model runs/demo/model --sae runs/demo/sae --corpus tinyworld \\",
                "      --out runs/demo/explorer",
                "  ./nanolens dashboard --model M --sae S --corpus web.jsonl --out explorer --tokens 1000000",
                "  ./nanolens dashboard --model M --sae S --corpus tinyworld --out explorer \\",
                "      --contrast honest.jsonl deceptive.jsonl"})
final class DashboardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
    Path model;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "An SAE directory (SAELens layout).")
    Path sae;

    @Option(names = "--corpus", required = true, paramLabel = "SRC",
            description = "tinyworld[:SEED[:STORIES]], a .jsonl, .zip or text file, or a directory.")
    String corpus;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Where the explorer goes (new, empty, or an explorer to replace).")
    Path out;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "" + AnalysisConfig.DEFAULT_TOKENS,
            description = "Corpus tokens to analyse at most (default: ${DEFAULT-VALUE}).")
    long tokens;

    @Option(names = "--contrast", arity = "2", paramLabel = "FILE",
            description = "Two labelled text sets A B (.jsonl, field text): rank features by how differently "
                    + "they fire on A and B.")
    List<Path> contrast;

    @Option(names = "--hook", paramLabel = "NAME",
            description = "Hook point, e.g. blocks.1.hook_resid_post (default: the SAE's cfg.json).")
    String hook;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        if (tokens < 1) {
            throw new NanolensException("--tokens is " + tokens + "; analyse at least 1 token");
        }
        StaticExplorer.checkTarget(out);
        AnalysisSubject subject = AnalysisSubject.load(model, sae, hook);
        Corpus text = Corpus.open(corpus);
        ContrastSets sets = contrast == null ? null : ContrastSets.open(contrast.get(0), contrast.get(1));
        boolean concepts = text.source().startsWith("tinyworld");
        AnalysisConfig config = AnalysisConfig.of(tokens, concepts);
        w.printf(Locale.ROOT, "model   : %s, hook %s%n", subject.modelName(), subject.hook());
        w.printf(Locale.ROOT, "sae     : %s (%s, %,d features)%n", subject.saeName(),
                subject.sae().architecture().id(), subject.sae().dSae());
        w.printf(Locale.ROOT, "corpus  : %s, up to %,d tokens in contexts of %d%n", text.description(), tokens,
                subject.contextSize());
        w.printf(Locale.ROOT, "memory  : at most %,d MiB for the per-feature state%n",
                config.bytesPerFeature() * subject.sae().dSae() >> 20);
        w.flush();
        AnalysisResult result;
        try (AnalysisProgress progress = AnalysisProgress.of(w)) {
            result = FeatureAnalysis.run(subject, text, config, sets, progress);
        }
        w.printf(Locale.ROOT, "pass    : %,d tokens in %.1f s (%,.0f tokens/s)%n", result.tokens(),
                result.passSeconds(), result.tokensPerSecond());
        long started = System.nanoTime();
        StaticExplorer.write(result.atlas(), out);
        w.printf(Locale.ROOT, "explorer: %,d feature pages written in %.1f s%n", result.atlas().dSae(),
                (System.nanoTime() - started) / 1e9);
        if (result.concepts() != null) {
            w.println("concept F1 (best feature per tinyworld concept; fires > 0 vs token has the concept):");
            w.print(indent(result.concepts().toText()));
        } else {
            w.println("concept F1: only on tinyworld corpora (their tokens carry concept labels)");
        }
        if (result.contrast() != null) {
            w.printf("contrast: %s (%,d tokens) vs %s (%,d tokens), top features by |d|:%n",
                    result.contrast().nameA(), result.contrast().tokensA(), result.contrast().nameB(),
                    result.contrast().tokensB());
            w.print(indent(result.contrast().toText(2 * FeatureAnalysis.CONTRAST_LABELS)));
        }
        w.println("open    : " + out.toAbsolutePath().normalize().resolve("index.html"));
        return 0;
    }

    private static String indent(String table) {
        return table.lines().map(line -> "  " + line + System.lineSeparator()).reduce("", String::concat);
    }
}
