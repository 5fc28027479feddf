package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.FeatureDensity;
import io.nanolens.sae.InputScale;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.sae.store.ActivationHarvester;
import io.nanolens.sae.store.ActivationManifest;
import io.nanolens.sae.store.ActivationScaler;
import io.nanolens.sae.store.ActivationShards;
import io.nanolens.sae.store.ActivationStream;
import io.nanolens.sae.store.HarvestConfig;
import io.nanolens.sae.store.RecentRows;
import io.nanolens.sae.store.ShuffleBuffer;
import io.nanolens.sae.train.SaeMetrics;
import io.nanolens.sae.train.SaeRun;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import io.nanolens.text.Corpus;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The SAE stage as {@code train-sae} and {@code demo} run it (activations → SAEs → SAE directories): open the
 * activation stream (collected shards, or a harvest through a seeded shuffle buffer, so a resumed run sees the same
 * rows), scale it by SAELens's normalisation factor, train the sweep with a progress display or the live view,
 * and save each SAE in SAELens's layout with the factor folded back into its weights ({@link InputScale}) and the
 * feature densities of the last rows it trained on. Ctrl-C stops at a checkpoint that {@code --resume} continues.
 */
final class SaeTraining {
    /** Rows the normalisation factor is estimated on when harvesting on the fly (the mean norm to well under 1 %). */
    static final int SCALE_SAMPLE_ROWS = 1 << 16;
    /** Most floats of the shuffle window (128 MiB). */
    private static final long WINDOW_FLOATS = 1L << 25;
    /** Most floats of the sample of last rows the densities are measured on (32 MiB). */
    private static final long SAMPLE_FLOATS = 1L << 23;
    private static final int MIN_SAMPLE_ROWS = 1024;

    /**
     * What to train, as the command line gives it; with {@code --resume} it may be left out.
     *
     * @param model       the model directory
     * @param hook        the hook point's name
     * @param activations collected activations, or null to harvest on the fly
     * @param corpus      the corpus to harvest from (only without activations)
     * @param contextSize tokens per context of the harvest, or null for min(128, the model's context)
     * @param keepBos     keep rows at BOS positions in the harvest
     * @param sweep       the SAEs
     * @param training    how to train them
     */
    record Request(String model, String hook, String activations, String corpus, Integer contextSize,
                   boolean keepBos, SaeSweep sweep, SaeTrainingConfig training) {
    }

    /** A finished or stopped run: the trainer's result and the SAE directories written (none when stopped). */
    record Outcome(SaeTrainer.Result result, List<Path> saved) {
    }

    private SaeTraining() {
    }

    /**
     * Starts the run {@code request} in {@code out}, or resumes the one saved there ({@code request} may then be
     * null, or must describe the same run).
     */
    static Outcome run(Path out, Request request, boolean resume, boolean live, PrintWriter printer) {
        return run(out, request, resume, live, Integer.MAX_VALUE, printer);
    }

    /**
     * As {@link #run(Path, Request, boolean, boolean, PrintWriter)}, but stopping after step {@code stopAfter} as
     * Ctrl-C would: the way tests interrupt a run.
     */
    static Outcome run(Path out, Request request, boolean resume, boolean live, int stopAfter, PrintWriter printer) {
        SaeRunSettings saved = resume ? saved(out) : null;
        if (!resume && SaeTrainer.hasCheckpoint(out)) {
            throw new NanolensException(out + " already holds an SAE run; add --resume to continue it or choose "
                    + "another --out");
        }
        GptFiles.Loaded model = GptFiles.load(Path.of(resume ? saved.model() : request.model()));
        if (resume && request != null) {
            saved.checkResumedWith(settings(request, model), out);
        }
        Source source = open(resume ? saved : settings(request, model), model, resume, out);
        SaeRunSettings settings = source.settings();
        float factor = (float) settings.normScalingFactor();   // the rows are scaled in float: fold the same value
        int sampleRows = (int) Math.min(settings.training().tokens(), Math.max(MIN_SAMPLE_ROWS,
                SAMPLE_FLOATS / source.width()));
        try (RecentRows rows = new RecentRows(source.stream().scaled(factor), sampleRows)) {
            SaeTrainer trainer = resume ? SaeTrainer.resume(out, settings.saes(), settings.training())
                    : SaeTrainer.start(out, settings.saes(), settings.training());
            if (!resume) {
                settings.write(out);
            }
            describe(settings, trainer, source.width(), printer);
            SaeTrainer.Result result = train(trainer, rows, settings.training().steps(), live, stopAfter, printer);
            if (result.stopped()) {
                printer.println("stopped at step " + result.steps() + " of " + settings.training().steps()
                        + ": checkpoint saved in " + out + "; continue with --resume");
                return new Outcome(result, List.of());
            }
            return new Outcome(result, save(out, settings, trainer, rows, factor, result, printer));
        }
    }

    /** The run's activation stream (unscaled), its width, and its settings with the normalisation factor known. */
    private record Source(SaeRunSettings settings, ActivationStream stream, int width) {
    }

    /**
     * Checks the sweep against the hook's width and opens the rows: the collected shards (checked against the run)
     * or a harvest through a seeded shuffle buffer, whose factor a new run estimates on a first sample.
     */
    private static Source open(SaeRunSettings settings, GptFiles.Loaded model, boolean resume, Path out) {
        HookPoint hook = HookPoint.parse(settings.hookName(), model.gpt().config());
        int width = hook.width(model.gpt().config());
        for (SaeTrainer.Spec s : settings.saes()) {
            if (s.config().dIn() != width) {
                throw new NanolensException("SAE '" + s.name() + "' has d_in " + s.config().dIn() + " but " + hook
                        + " of model " + settings.model() + " is " + width + " wide; an SAE's d_in must be its hook's "
                        + "width: use the model the run was started with");
            }
        }
        if (settings.activations() != null) {
            ActivationManifest manifest = checkedManifest(settings, width);
            if (resume && manifest.normScalingFactor() != settings.normScalingFactor()) {
                throw new NanolensException("the activations in " + settings.activations() + " changed since the run "
                        + "in " + out + " started (normalisation factor " + manifest.normScalingFactor() + ", was "
                        + settings.normScalingFactor() + "); start a new run");
            }
            SaeRunSettings known = settings.withNormScalingFactor(manifest.normScalingFactor());
            return new Source(known, ActivationShards.open(Path.of(settings.activations()), window(settings, width),
                    settings.training().seed()), width);
        }
        HarvestConfig harvest = new HarvestConfig(hook, settings.contextSize(), HarvestConfig.DEFAULT_CONTEXTS_PER_PASS,
                settings.keepBos(), settings.training().tokens());
        SaeRunSettings known = resume ? settings
                : settings.withNormScalingFactor(estimateScale(model, settings, harvest));
        ActivationHarvester harvester = new ActivationHarvester(model.gpt(), model.tokenizer(),
                Corpus.open(settings.corpus()), harvest);
        return new Source(known, new ShuffleBuffer(harvester, window(settings, width), settings.training().seed()),
                width);
    }

    /**
     * Makes sure {@code out} holds the finished run of {@code request}: reuses it when it does, resumes it when it
     * was interrupted, and otherwise (another run, or {@code discard}) deletes {@code out} and trains afresh.
     * Returns each SAE's last logged metrics.
     */
    static List<SaeMetrics> ensure(Path out, Request request, GptFiles.Loaded model, boolean discard,
                                   PrintWriter printer) {
        SaeRunSettings wanted = settings(request, model);
        boolean same = !discard && SaeRunSettings.exists(out) && SaeRunSettings.read(out).sameRun(wanted);
        if (same && Files.isRegularFile(out.resolve(SaeLensFormat.CONFIG_FILE))) {
            printer.println("SAE      : reusing the finished SAE in " + out + " (delete it to train again)");
        } else {
            boolean resume = same && SaeTrainer.hasCheckpoint(out);
            if (!resume) {
                deleteTree(out);
            }
            run(out, resume ? null : request, resume, false, printer);
        }
        return List.copyOf(loggedMetrics(out).values());
    }

    /** The settings saved by the run in {@code out}, which must have a checkpoint. */
    private static SaeRunSettings saved(Path out) {
        if (!SaeTrainer.hasCheckpoint(out) || !SaeRunSettings.exists(out)) {
            throw new NanolensException("nothing to resume: " + out + " holds no SAE checkpoint and "
                    + SaeRunSettings.FILE_NAME + "; start without --resume");
        }
        return SaeRunSettings.read(out);
    }

    /** The settings of a new run of {@code r} on {@code model} (scaling factor still unknown: NaN). */
    static SaeRunSettings settings(Request r, GptFiles.Loaded model) {
        if (r.hook() == null) {
            throw new NanolensException("train-sae needs --hook, e.g. --hook blocks.0.hook_resid_post");
        }
        HookPoint hook = HookPoint.parse(r.hook(), model.gpt().config());
        List<SaeTrainer.Spec> specs = r.sweep().specs(hook.width(model.gpt().config()));
        if (r.activations() != null) {
            if (r.corpus() != null || r.contextSize() != null || r.keepBos()) {
                throw new NanolensException("--corpus, --context-size and --keep-bos set a harvest on the fly; the "
                        + "activations in " + r.activations() + " were collected with their own (see its "
                        + ActivationManifest.FILE_NAME + ")");
            }
            ActivationManifest m = ActivationManifest.read(Path.of(r.activations()));
            return new SaeRunSettings(r.model(), hook.name(), r.activations(), m.corpus(), m.contextSize(),
                    !m.excludeSpecialTokens(), specs, r.training(), Double.NaN);
        }
        if (r.corpus() == null) {
            throw new NanolensException("train-sae needs --corpus SRC to harvest activations on the fly, or "
                    + "--activations DIR from ./nanolens collect");
        }
        int context = r.contextSize() != null ? r.contextSize()
                : Math.min(HarvestConfig.DEFAULT_CONTEXT_SIZE, model.gpt().config().sequenceLen());
        return new SaeRunSettings(r.model(), hook.name(), null, Corpus.open(r.corpus()).source(), context,
                r.keepBos(), specs, r.training(), Double.NaN);
    }

    /** The manifest of the run's activations, checked against the run's hook, model and token budget. */
    private static ActivationManifest checkedManifest(SaeRunSettings settings, int width) {
        Path dir = Path.of(settings.activations());
        ActivationManifest m = ActivationShards.verify(dir);
        String fix = "; collect them with --model " + settings.model() + " --hook " + settings.hookName();
        if (!m.hookName().equals(settings.hookName())) {
            throw new NanolensException("activations in " + dir + " are from hook " + m.hookName() + ", not "
                    + settings.hookName() + fix + " or train with --hook " + m.hookName());
        }
        if (m.dIn() != width) {
            throw new NanolensException("activations in " + dir + " are " + m.dIn() + " wide but " + m.hookName()
                    + " of model " + settings.model() + " is " + width + " wide, the SAE's d_in" + fix);
        }
        if (!sameFile(Path.of(m.modelName()), Path.of(settings.model()))) {
            throw new NanolensException("activations in " + dir + " were collected from model " + m.modelName()
                    + ", not from " + settings.model() + fix + " or train with --model " + m.modelName());
        }
        if (m.tokens() < settings.training().tokens()) {
            throw new NanolensException("activations in " + dir + " hold " + m.tokens() + " rows but --tokens is "
                    + settings.training().tokens() + "; lower --tokens or collect more");
        }
        return m;
    }

    /** SAELens's factor √d_in / mean‖x‖ over the first rows of the harvest. */
    private static double estimateScale(GptFiles.Loaded model, SaeRunSettings settings, HarvestConfig harvest) {
        HarvestConfig sample = new HarvestConfig(harvest.hook(), harvest.contextSize(), harvest.contextsPerPass(),
                harvest.keepBos(), Math.min(harvest.tokens(), SCALE_SAMPLE_ROWS));
        try (ActivationHarvester h = new ActivationHarvester(model.gpt(), model.tokenizer(),
                Corpus.open(settings.corpus()), sample)) {
            return ActivationScaler.estimate(h, sample.tokens());
        }
    }

    /** Rows the shuffle window holds: SAELens's mixing buffer size, at most 128 MiB, at least two batches. */
    private static int window(SaeRunSettings settings, int width) {
        SaeTrainingConfig t = settings.training();
        long rows = Math.max(2L * t.batchRows(), Math.min(ActivationShards.DEFAULT_WINDOW_ROWS, WINDOW_FLOATS / width));
        return (int) Math.min(rows, t.tokens());
    }

    /** Trains with the live view or a progress display and a Ctrl-C hook that stops at a checkpoint. */
    private static SaeTrainer.Result train(SaeTrainer trainer, RecentRows rows, int steps, boolean live,
                                           int stopAfter, PrintWriter printer) {
        boolean terminal = TrainingProgress.terminal();
        if (live && !terminal) {
            printer.println("--live needs a terminal; printing progress lines instead");
        }
        int first = trainer.step();
        return ModelTraining.stoppable(trainer::requestStop, () -> {
            SaeProgress progress = live && terminal ? null : new SaeProgress(printer, first, steps, terminal);
            SaeTrainer.Listener display = progress != null ? progress
                    : new SaeLiveView(printer, trainer.runs().getFirst().sae(), rows, steps);
            try {
                return trainer.train(rows, (step, tokens, metrics) -> {
                    display.onStep(step, tokens, metrics);
                    if (step >= stopAfter) {
                        trainer.requestStop();
                    }
                });
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
        });
    }

    /** The last metrics line of each SAE in the run's metrics.jsonl, by name. */
    static Map<String, SaeMetrics> loggedMetrics(Path out) {
        Map<String, SaeMetrics> last = new LinkedHashMap<>();
        Path file = out.resolve(SaeTrainer.METRICS_FILE);
        String name = file.toString();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    SaeMetrics m = Json.convert(Json.readTree(line, name), SaeMetrics.class, name);
                    last.put(m.sae(), m);
                }
            }
        } catch (IOException e) {
            throw new NanolensException("cannot read " + file + ": " + e.getMessage());
        }
        return last;
    }

    /** Writes every SAE of the sweep, folded and with its densities; returns the directories. */
    private static List<Path> save(Path out, SaeRunSettings settings, SaeTrainer trainer, RecentRows rows,
                                   float factor, SaeTrainer.Result result, PrintWriter printer) {
        SaeMetadata metadata = new SaeMetadata(settings.model(), settings.hookName(), null, settings.contextSize(),
                false, !settings.keepBos(), settings.corpus(), Map.of("sequence_separator_token", "bos"));
        float[] sample = rows.rows(rows.held());
        List<Path> dirs = new ArrayList<>();
        printer.printf(Locale.ROOT, "done: %d steps, %,d tokens; normalisation factor %.4f folded into the weights%n",
                result.steps(), result.tokens(), factor);
        List<SaeRun> runs = trainer.runs();
        for (int i = 0; i < runs.size(); i++) {
            SaeRun run = runs.get(i);
            Path dir = runs.size() == 1 ? out : out.resolve(run.name());
            float[] density = FeatureDensity.of(run.sae(), sample, rows.held());
            SaeLensFormat.write(dir, new SaeDirectory(InputScale.fold(run.sae(), factor), metadata,
                    SaeDirectory.log10Density(density)));
            SaeMetrics m = result.last().isEmpty() ? loggedMetrics(out).get(run.name()) : result.last().get(i);
            printer.printf(Locale.ROOT, "  %-24s %s  -> %s%n", run.name(), SaeProgress.describe(m), dir);
            dirs.add(dir);
        }
        printer.flush();
        return dirs;
    }

    private static void describe(SaeRunSettings s, SaeTrainer trainer, int width, PrintWriter printer) {
        SaeTrainingConfig t = s.training();
        printer.printf(Locale.ROOT, "activations: %s at %s (d_in %d), %s, context %d, BOS %s%n", s.model(),
                s.hookName(), width, s.activations() != null ? "from " + s.activations() : "harvested from "
                        + s.corpus(), s.contextSize(), s.keepBos() ? "kept" : "left out");
        printer.printf(Locale.ROOT, "training   : %s%d steps of %d rows (%,d tokens), normalisation factor %.4f%n",
                trainer.step() > 0 ? "from step " + trainer.step() + " to " : "", t.steps(), t.batchRows(),
                t.tokens(), s.normScalingFactor());
        for (SaeTrainer.Spec spec : s.saes()) {
            printer.printf(Locale.ROOT, "  %-24s d_sae %d, lr %.3g%n", spec.name(), spec.config().dSae(),
                    t.lrFor(spec.config().dSae()));
        }
        printer.flush();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new NanolensException("cannot delete the old run in " + dir + ": " + e.getMessage()
                    + "; delete it by hand");
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
