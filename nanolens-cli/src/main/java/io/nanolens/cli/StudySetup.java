package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.io.AtomicFiles;
import io.nanolens.io.Json;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.store.ActivationHarvester;
import io.nanolens.sae.store.ActivationScaler;
import io.nanolens.sae.store.HarvestConfig;
import io.nanolens.sae.store.ShuffleBuffer;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import io.nanolens.study.StudyPage;
import io.nanolens.text.Corpus;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the studies share (model → activations → SAEs → report): the model with its hook point (by default the
 * middle layer's residual stream) and corpus, SAELens's normalisation factor estimated on a first sample, SAEs
 * trained on one seeded, shuffled harvest of the training text with about twenty progress lines, and the
 * three files every study writes ({@code table.md}, {@code results.json}, {@code report.html}).
 *
 * @param modelDir the model directory
 * @param loaded   the model and its tokenizer
 * @param hook     where the activations are read
 * @param width    the hook's width, the SAEs' d_in
 * @param context  tokens per context: min({@value #CONTEXT}, the model's)
 * @param corpus   the text: training part to train on, validation part held out
 */
record StudySetup(Path modelDir, GptFiles.Loaded loaded, HookPoint hook, int width, int context, Corpus corpus) {
    static final int CONTEXT = 128;
    /** Rows of the shuffle window, in batches. */
    private static final int WINDOW_BATCHES = 8;
    private static final int PROGRESS_LINES = 20;

    /**
     * Loads the model of {@code options} and resolves its hook point.
     *
     * @throws NanolensException if there is no model directory or the hook does not exist
     */
    static StudySetup open(StudyOptions options) {
        if (!Files.isDirectory(options.model)) {
            throw new NanolensException("no model in " + options.model + "; run ./nanolens demo first or pass "
                    + "--model DIR");
        }
        GptFiles.Loaded loaded = GptFiles.load(options.model);
        HookPoint hook = HookPoint.parse(options.hook != null ? options.hook
                : "blocks." + loaded.gpt().config().nLayer() / 2 + ".hook_resid_post", loaded.gpt().config());
        return new StudySetup(options.model, loaded, hook, hook.width(loaded.gpt().config()),
                Math.min(CONTEXT, loaded.gpt().config().sequenceLen()), Corpus.open(options.corpus));
    }

    /** Whether the corpus carries TinyWorld's concept labels. */
    boolean concepts() {
        return corpus.source().startsWith("tinyworld");
    }

    /** SAELens's factor √d / mean‖x‖ over the first rows (at most {@link SaeTraining#SCALE_SAMPLE_ROWS}). */
    double scaleFactor(long tokens) {
        HarvestConfig sample = new HarvestConfig(hook, context, HarvestConfig.DEFAULT_CONTEXTS_PER_PASS, false,
                Math.min(tokens, SaeTraining.SCALE_SAMPLE_ROWS));
        try (ActivationHarvester h = new ActivationHarvester(loaded.gpt(), loaded.tokenizer(), corpus.training(),
                sample)) {
            return ActivationScaler.estimate(h, sample.tokens());
        }
    }

    /**
     * Trains {@code trainer} on the training text's activations scaled by {@code factor}, printing progress about
     * twenty times (every tenth step at most) and calling {@code listener} (may be null) after every step.
     */
    void train(SaeTrainer trainer, SaeTrainingConfig training, double factor, PrintWriter w,
               SaeTrainer.Listener listener) {
        int every = Math.max(10, (training.steps() / PROGRESS_LINES + 9) / 10 * 10);
        HarvestConfig harvest = new HarvestConfig(hook, context, HarvestConfig.DEFAULT_CONTEXTS_PER_PASS, false,
                training.tokens());
        try (ShuffleBuffer stream = new ShuffleBuffer(new ActivationHarvester(loaded.gpt(), loaded.tokenizer(),
                corpus.training(), harvest), WINDOW_BATCHES * training.batchRows(), training.seed())) {
            trainer.train(stream.scaled((float) factor), (step, seen, metrics) -> {
                if (step % every == 0 || step == training.steps()) {
                    w.printf(Locale.ROOT, "  trained %d/%d steps (%,d tokens)%n", step, training.steps(), seen);
                    w.flush();
                }
                if (listener != null) {
                    listener.onStep(step, seen, metrics);
                }
            });
        }
    }

    /** Writes {@code table.md}, {@code results.json} and {@code report.html} into {@code out}. */
    static void write(Path out, String markdown, Object results, StudyPage page) throws IOException {
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("table.md"), markdown);
        AtomicFiles.writeString(out.resolve("results.json"), Json.toPrettyString(results));
        AtomicFiles.writeString(out.resolve("report.html"), page.html());
    }
}
