package io.nanolens.spark;

import io.nanolens.NanolensException;
import io.nanolens.analysis.AnalysisConfig;
import io.nanolens.analysis.AnalysisResult;
import io.nanolens.analysis.ContrastSets;
import io.nanolens.explorer.StaticExplorer;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./nanolens spark analyse}: the feature analysis of {@code dashboard} as a Spark job
 * ({@link SparkAnalysis}), writing the static explorer on the driver.
 */
@Command(name = "analyse", aliases = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Analyse an SAE's features over a corpus as a Spark job and write the explorer.",
        footer = {"", "Each partition keeps its tokens' per-feature statistics (top contexts, band",
                "samples, histogram, density, concept hits); they merge exactly, so the explorer",
                "is the one ./nanolens dashboard writes for the same corpus. OUT is a directory",
                "on the driver; open OUT/index.html in a browser.",
                "", "Examples:",
                "  ./nanolens spark analyse --model runs/demo/model --sae runs/demo/sae \\",
                "      --corpus tinyworld --out runs/demo/explorer",
                "  ./nanolens spark analyse --model hdfs:///m/tiny --sae hdfs:///m/tiny-sae \\",
                "      --corpus hdfs:///data/web.jsonl --tokens 50000000 --out explorer"})
final class AnalyseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SparkOptions spark;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
    String model;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "An SAE directory (SAELens layout).")
    String sae;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions the corpus is split into (default: twice the cores of the cluster).")
    Integer partitions;

    @Option(names = "--corpus", required = true, paramLabel = "SRC", description = "tinyworld[:SEED[:STORIES]], a "
            + ".jsonl file (also on HDFS / S3A), or any other local corpus.")
    String corpus;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Where the explorer goes, on the driver (new, empty, or an explorer to replace).")
    Path out;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "" + AnalysisConfig.DEFAULT_TOKENS,
            description = "Corpus tokens to analyse at most (default: ${DEFAULT-VALUE}).")
    long tokens;

    @Option(names = "--contrast", arity = "2", paramLabel = "FILE", description = "Two labelled text sets A B "
            + "(.jsonl, field text, on the driver): rank features by how differently they fire on A and B.")
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
        ContrastSets sets = contrast == null ? null : ContrastSets.open(contrast.get(0), contrast.get(1));
        boolean concepts = corpus.equals("tinyworld") || corpus.startsWith("tinyworld:");
        try (JavaSparkContext context = spark.open("nanolens analyse")) {
            int split = SparkOptions.partitions(context, partitions);
            w.printf(Locale.ROOT, "spark   : %s, %d partitions%n", context.master(), split);
            w.flush();
            SparkAnalysis.Report r = SparkAnalysis.run(context, new SparkAnalysis.Settings(model, sae, hook, corpus,
                    split), AnalysisConfig.of(tokens, concepts), sets);
            AnalysisResult result = r.result();
            w.printf(Locale.ROOT, "sae     : %s (%s, %,d features) on %s at %s%n", r.subject().saeName(),
                    r.subject().sae().architecture().id(), r.subject().sae().dSae(), r.subject().modelName(),
                    r.subject().hook());
            w.printf(Locale.ROOT, "pass    : %,d tokens in %.1f s (%,.0f tokens/s; tasks %.1f s in all)%n",
                    result.tokens(), r.seconds(), result.tokens() / Math.max(r.seconds(), 1e-9),
                    result.passSeconds());
            StaticExplorer.write(result.atlas(), out);
            if (result.concepts() != null) {
                w.println("concept F1 (best feature per tinyworld concept; fires > 0 vs token has the concept):");
                result.concepts().toText().lines().forEach(line -> w.println("  " + line));
            }
            if (result.contrast() != null) {
                w.printf("contrast: %s vs %s, top features by |d|:%n", result.contrast().nameA(),
                        result.contrast().nameB());
                result.contrast().toText(20).lines().forEach(line -> w.println("  " + line));
            }
            w.println("open    : " + out.toAbsolutePath().normalize().resolve("index.html"));
        }
        return 0;
    }
}
