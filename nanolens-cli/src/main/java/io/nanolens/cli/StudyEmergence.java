package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.analysis.ConceptProbe;
import io.nanolens.io.Directories;
import io.nanolens.sae.InputScale;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.sae.train.SaeRun;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import io.nanolens.study.CheckpointScores;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens study emergence}: seed 003's second question — while an SAE trains, when do its features
 * appear and which die? One SAE trains on a harvest of the model's activations; at evenly spaced checkpoints it is
 * saved (SAELens layout, normalisation folded in) and scored on one {@link ConceptProbe} of held-out activations:
 * best F1 per tinyworld concept, feature densities, FVU and L0 ({@link CheckpointScores}). Writes {@code table.md},
 * {@code results.json} and {@code report.html} ({@link EmergenceReport}: F1 curves over training tokens, the
 * density histograms as a heat map, when each concept first reaches the F1 threshold, which features died).
 */
@Command(name = "emergence", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Concept F1 and feature densities over one SAE's training checkpoints.",
        footer = {"", "Examples:", "  ./nanolens study emergence",
                "  ./nanolens study emergence --spacing log --out runs/study/emergence-log",
                "  ./nanolens study emergence --arch relu --l1 3 --tokens 2000000 \\",
                "      --out runs/study/emergence-relu"})
final class StudyEmergence implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StudyOptions options;

    @Option(names = "--arch", defaultValue = "topk", paramLabel = "NAME",
            description = "SAE architecture: relu, topk, batchtopk, jumprelu, gated, matryoshka (default: "
                    + "${DEFAULT-VALUE}).")
    String architecture;

    @Option(names = "--expansion", defaultValue = "8", paramLabel = "N",
            description = "Latents per input dimension (default: ${DEFAULT-VALUE}).")
    int expansion;

    @Option(names = "--k", paramLabel = "K", description = "Active latents per token of a TopK-family SAE "
            + "(default: 32).")
    Integer k;

    @Option(names = "--l1", paramLabel = "C", description = "Sparsity coefficient of a ReLU, Gated or JumpReLU SAE "
            + "(default: the architecture's).")
    Float l1;

    @Option(names = "--tokens", defaultValue = "" + DemoCommand.SAE_TOKENS, paramLabel = "N",
            description = "Training tokens (default: ${DEFAULT-VALUE}, as the demo's SAE).")
    long tokens;

    @Option(names = "--batch-rows", defaultValue = "" + DemoCommand.SAE_BATCH, paramLabel = "N",
            description = "Activation rows per step (default: ${DEFAULT-VALUE}, as the demo's SAE).")
    int batchRows;

    @Option(names = "--lr", defaultValue = "" + DemoCommand.SAE_LR, paramLabel = "LR",
            description = "Adam learning rate (default: ${DEFAULT-VALUE}, as the demo's SAE).")
    float lr;

    @Option(names = "--checkpoints", defaultValue = "8", paramLabel = "N",
            description = "Checkpoints to save and score, the last at the end (default: ${DEFAULT-VALUE}).")
    int checkpoints;

    @Option(names = "--spacing", defaultValue = "even", paramLabel = "HOW",
            description = "even: checkpoints evenly spaced; log: each twice the steps of the one before, to "
                    + "watch the first steps closely (default: ${DEFAULT-VALUE}).")
    String spacing;

    @Option(names = "--eval-tokens", defaultValue = "50000", paramLabel = "N",
            description = "Held-out tokens every checkpoint is scored on (default: ${DEFAULT-VALUE}).")
    long evalTokens;

    @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "F1",
            description = "The F1 at which a concept counts as found (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--out", defaultValue = "runs/study/emergence", paramLabel = "DIR",
            description = "Where the checkpoints, table and report go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (checkpoints < 1 || evalTokens < 1 || !(threshold > 0 && threshold <= 1)) {
            throw new NanolensException("--checkpoints and --eval-tokens must be at least 1 and --threshold in "
                    + "(0, 1]; got " + checkpoints + ", " + evalTokens + ", " + threshold);
        }
        SaeTrainingConfig training = SaeTrainingConfig.of(tokens).withBatchRows(batchRows).withLr(lr)
                .withIntervals(1_000_000, 0);
        if (training.steps() < checkpoints) {
            throw new NanolensException("--tokens " + tokens + " make " + training.steps() + " steps of "
                    + batchRows + " rows, fewer than --checkpoints " + checkpoints + "; raise --tokens");
        }
        PrintWriter w = spec.commandLine().getOut();
        StudySetup setup = StudySetup.open(options);
        SaeTrainer.Spec sae = new SaeSweep(List.of(architecture), List.of(expansion), k == null ? List.of()
                : List.of(k), l1 == null ? List.of() : List.of(l1)).specs(setup.width()).getFirst();
        boolean log = switch (spacing) {
            case "even" -> false;
            case "log" -> true;
            default -> throw new NanolensException("--spacing is '" + spacing + "'; use even or log");
        };
        Set<Integer> steps = CheckpointScores.schedule(training.steps(), checkpoints, log);
        w.printf(Locale.ROOT, "study emergence: %s at %s (d=%d), SAE %s on %,d tokens, %d checkpoints%n",
                setup.modelDir(), setup.hook().name(), setup.width(), sae.name(), tokens, steps.size());
        w.flush();

        long t0 = System.nanoTime();
        ConceptProbe probe = ConceptProbe.collect(setup.loaded().gpt(), setup.loaded().tokenizer(), setup.hook(),
                setup.context(), setup.corpus().validation(), evalTokens, setup.concepts());
        w.printf(Locale.ROOT, "  held out %,d tokens in %.0f s%n", probe.tokens(), (System.nanoTime() - t0) / 1e9);
        double factor = setup.scaleFactor(tokens);
        Directories.deleteTree(out.resolve("checkpoints")); // a previous run's steps would mix with this run's
        SaeTrainer trainer = SaeTrainer.start(out.resolve("run"), List.of(sae), training);
        SaeRun run = trainer.runs().getFirst();
        SaeMetadata metadata = SaeMetadata.of(setup.modelDir().toString(), setup.hook().name(), setup.context())
                .withDatasetPath(setup.corpus().source());
        CheckpointScores scores = new CheckpointScores();
        setup.train(trainer, training, factor, w, (step, seen, metrics) -> {
            if (steps.contains(step)) {
                Sae folded = InputScale.fold(run.sae(), factor);
                ConceptProbe.Score score = probe.score(folded);
                scores.add(step, seen, score);
                SaeLensFormat.write(out.resolve("checkpoints").resolve(String.format(Locale.ROOT, "step-%06d", step)),
                        new SaeDirectory(folded, metadata, SaeDirectory.log10Density(score.density())));
                w.println("  " + EmergenceReport.line(scores.checkpoints().getLast()));
                w.flush();
            }
        });
        EmergenceReport report = new EmergenceReport(setup, sae.name(), probe.tokens(), threshold, log,
                scores);
        report.write(out, tokens, factor);
        w.print(report.summary());
        w.printf(Locale.ROOT, "done in %.0f s: %s, %s, %s%n", (System.nanoTime() - t0) / 1e9,
                out.resolve("table.md"), out.resolve("results.json"), out.resolve("report.html"));
        return 0;
    }
}
