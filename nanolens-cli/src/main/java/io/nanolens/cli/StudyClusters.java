package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.analysis.AnalysisConfig;
import io.nanolens.analysis.AnalysisResult;
import io.nanolens.analysis.AnalysisSubject;
import io.nanolens.analysis.FeatureAnalysis;
import io.nanolens.sae.Sae;
import io.nanolens.study.FeatureMap;
import io.nanolens.text.Corpus;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens study clusters}: seed 003's third question — do an SAE's features form families? One analysis
 * pass over the corpus ({@link FeatureAnalysis}, as {@code dashboard} runs it) gives each feature its automatic label, density and best
 * tinyworld concept; the decoder rows of the features that fired are grouped by cosine and mapped to 2-D by their
 * principal components ({@link FeatureMap}). Writes {@code table.md}, {@code results.json} and {@code report.html}
 * ({@link ClusterReport}: the map coloured by concept and by cluster, with hover titles, and the cluster table).
 */
@Command(name = "clusters", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Group an SAE's features by decoder cosine and map them in 2-D, coloured by concept.",
        footer = {"", "Examples:", "  ./nanolens study clusters",
                "  ./nanolens study clusters --model runs/demo/model --sae runs/sae \\",
                "      --clusters 128 --out runs/study/clusters-128"})
final class StudyClusters implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StudyOptions options;

    @Option(names = "--sae", defaultValue = "runs/demo/sae", paramLabel = "DIR",
            description = "An SAE directory, SAELens layout (default: ${DEFAULT-VALUE}, which the demo trains).")
    Path sae;

    @Option(names = "--tokens", defaultValue = "100000", paramLabel = "N",
            description = "Corpus tokens the labels and concepts come from (default: ${DEFAULT-VALUE}).")
    long tokens;

    @Option(names = "--clusters", defaultValue = "32", paramLabel = "K",
            description = "Clusters of the k-means on unit decoder rows (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Seed of the k-means (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--min-f1", defaultValue = "0.2", paramLabel = "F1",
            description = "Least F1 at which a feature is coloured by its concept (default: ${DEFAULT-VALUE}).")
    double minF1;

    @Option(names = "--out", defaultValue = "runs/study/clusters", paramLabel = "DIR",
            description = "Where the table and report go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (tokens < 1 || clusters < 1 || !(minF1 >= 0 && minF1 <= 1)) {
            throw new NanolensException("--tokens and --clusters must be at least 1 and --min-f1 in [0, 1]; got "
                    + tokens + ", " + clusters + ", " + minF1);
        }
        if (!Files.isDirectory(options.model) || !Files.isDirectory(sae)) {
            throw new NanolensException("no " + (Files.isDirectory(options.model) ? "SAE in " + sae : "model in "
                    + options.model) + "; run ./nanolens demo first (it trains both) or pass --model DIR --sae DIR");
        }
        PrintWriter w = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        AnalysisSubject subject = AnalysisSubject.load(options.model, sae, options.hook);
        Corpus text = Corpus.open(options.corpus);
        boolean concepts = text.source().startsWith("tinyworld");
        Sae s = subject.sae();
        w.printf(Locale.ROOT, "study clusters: SAE %s (%s, %,d features) at %s of %s; analysing up to %,d "
                + "tokens%n", sae, s.architecture().id(), s.dSae(), subject.hook().name(), options.model, tokens);
        w.flush();
        AnalysisResult analysis;
        try (AnalysisProgress progress = AnalysisProgress.of(w)) {
            analysis = FeatureAnalysis.run(subject, text, AnalysisConfig.of(tokens, concepts), null, progress);
        }
        long t1 = System.nanoTime();
        FeatureMap map;
        try {
            map = FeatureMap.build(s.parameters().get(Sae.W_DEC).data(), s.dSae(), s.dIn(),
                    analysis.atlas().features(), clusters, seed, minF1);
        } catch (IllegalArgumentException e) {
            throw new NanolensException("cannot map the features of " + sae + ": " + e.getMessage() + "; analyse "
                    + "more --tokens");
        }
        w.printf(Locale.ROOT, "  mapped %,d features (%,d never fired) into %d clusters in %.1f s: mean cosine to "
                        + "the centroid %.3f (random directions: %.3f); the map's axes explain %.1f%% and %.1f%% of "
                        + "the decoder variance%n", map.points().size(), map.silent(), map.clusters().size(),
                (System.nanoTime() - t1) / 1e9, map.cohesion(), map.baseline(), 100 * map.explained()[0],
                100 * (map.explained().length > 1 ? map.explained()[1] : 0));
        ClusterReport report = new ClusterReport(subject, analysis.tokens(), concepts, minF1, map);
        report.write(out, seed);
        w.print(report.summary());
        w.printf(Locale.ROOT, "done in %.0f s: %s, %s, %s%n", (System.nanoTime() - t0) / 1e9,
                out.resolve("table.md"), out.resolve("results.json"), out.resolve("report.html"));
        return 0;
    }
}
