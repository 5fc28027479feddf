package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.text.Bpe;
import io.nanolens.text.BpeTrainingConfig;
import io.nanolens.text.BpeTrainingReport;
import io.nanolens.text.Corpus;
import io.nanolens.text.Tokenizer;
import io.nanolens.text.Tokenizers;
import io.nanolens.train.Checkpoint;
import io.nanolens.train.GptTrainer;
import io.nanolens.train.TrainConfig;
import io.nanolens.train.TrainingData;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The training stage as {@code train-model} and {@code demo} run it (corpus → tokenizer → GPT → model directory):
 * reuse the tokenizer in the output directory or train one on the corpus's training part, build or resume the
 * model, train it with a progress display, and print a summary. Ctrl-C asks the trainer to stop: it finishes the
 * current step and writes a checkpoint before the JVM exits, so {@code --resume} continues the run.
 */
final class ModelTraining {
    // A shutdown hook may delay exit this long while the last step and the checkpoint finish.
    private static final long STOP_WAIT_SECONDS = 120;

    /**
     * What to train.
     *
     * @param corpus         the --corpus source
     * @param out            the model directory
     * @param model          the model's shape for a vocabulary size
     * @param training       the training config for a model
     * @param vocabSize      tokens of a newly trained tokenizer
     * @param tokenizerChars characters of the corpus a new tokenizer is trained on
     * @param resume         continue the run saved in {@code out}
     * @param steps          with resume: a new total step count, or null to keep the saved one
     */
    record Plan(String corpus, Path out, IntFunction<GptConfig> model, Function<GptConfig, TrainConfig> training,
                int vocabSize, long tokenizerChars, boolean resume, Integer steps) {
    }

    private ModelTraining() {
    }

    /** Runs the plan, printing progress to {@code out}; returns how the run ended. */
    static GptTrainer.Result run(Plan plan, PrintWriter out) {
        if (!plan.resume()) {
            plan.model().apply(BpeTrainingConfig.MIN_VOCAB_SIZE);   // a bad preset or size fails before any work
        }
        Corpus corpus = Corpus.open(plan.corpus());
        if (plan.resume() != GptTrainer.hasCheckpoint(plan.out())) {
            throw new NanolensException(plan.resume()
                    ? "nothing to resume: " + plan.out() + " has no " + Checkpoint.FILE_NAME
                    + "; start without --resume"
                    : plan.out() + " already holds a training run (" + Checkpoint.FILE_NAME + "); add --resume to "
                    + "continue it or choose another --out");
        }
        Tokenizer tokenizer = tokenizer(corpus, plan, out);
        printEncodingSpeed(corpus, tokenizer, out);
        TrainingData data = TrainingData.of(corpus, tokenizer);
        out.println("corpus   : " + corpus.description());
        GptTrainer trainer = plan.resume() ? resume(plan, data) : start(plan, data);
        try (trainer) {
            describe(trainer, out);
            return train(trainer, plan.out(), out);
        }
    }

    private static final long ENCODING_SAMPLE_BYTES = 4_000_000;

    private static Tokenizer tokenizer(Corpus corpus, Plan plan, PrintWriter out) {
        if (Files.isRegularFile(plan.out().resolve(Tokenizers.FILE_NAME))) {
            Tokenizer tokenizer = Tokenizers.load(plan.out());
            out.printf("tokenizer: %s from %s%n", tokenizer.name(), plan.out().resolve(Tokenizers.FILE_NAME));
            return tokenizer;
        }
        BpeTrainingConfig config = BpeTrainingConfig.ofVocabSize(plan.vocabSize())
                .withMaxCharacters(plan.tokenizerChars());
        BpeTrainingReport report;
        try (Stream<String> documents = corpus.training().documents()) {
            report = Bpe.train(documents::iterator, config);
        }
        report.tokenizer().save(plan.out());
        out.printf(Locale.ROOT, "tokenizer: trained %s on %.1f MB in %.1f s (%.1f MB/s)%n", report.tokenizer().name(),
                report.bytes() / 1e6, report.seconds(), report.megabytesPerSecond());
        return report.tokenizer();
    }

    /** Times encoding the first few MB of the training documents, so the tokenizer's speed is on record. */
    private static void printEncodingSpeed(Corpus corpus, Tokenizer tokenizer, PrintWriter out) {
        long bytes = 0;
        long tokens = 0;
        long nanos = 0;
        try (Stream<String> documents = corpus.training().documents()) {
            for (Iterator<String> it = documents.iterator(); it.hasNext() && bytes < ENCODING_SAMPLE_BYTES; ) {
                String doc = it.next();
                long t0 = System.nanoTime();
                tokens += tokenizer.encode(doc).length;
                nanos += System.nanoTime() - t0;
                bytes += doc.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (bytes > 0 && nanos > 0) {
            out.printf(Locale.ROOT, "tokenizer: encodes %.1f MB/s (%.2f bytes per token, timed on %.1f MB)%n",
                    bytes / 1e6 / (nanos / 1e9), (double) bytes / Math.max(1, tokens), bytes / 1e6);
        }
    }

    private static GptTrainer start(Plan plan, TrainingData data) {
        GptConfig config = plan.model().apply(data.tokenizer().vocabSize());
        TrainConfig training = plan.training().apply(config);
        return GptTrainer.start(plan.out(), new Gpt(config, training.seed()), training, data);
    }

    private static GptTrainer resume(Plan plan, TrainingData data) {
        Checkpoint checkpoint = GptTrainer.checkpoint(plan.out());
        TrainConfig saved = checkpoint.trainConfig();
        TrainConfig config = plan.steps() == null ? saved : saved.withSteps(plan.steps());
        return GptTrainer.resume(plan.out(), checkpoint, config, data);
    }

    private static void describe(GptTrainer trainer, PrintWriter out) {
        GptConfig c = trainer.gpt().config();
        TrainConfig t = trainer.config();
        out.printf(Locale.ROOT,
                "model    : %d layers, d=%d, %d heads (%d kv), context %d, vocab %d: %.2f M parameters%n",
                c.nLayer(), c.nEmbd(), c.nHead(), c.nKvHead(), c.sequenceLen(), c.vocabSize(),
                c.parameterCount() / 1e6);
        out.printf(Locale.ROOT, "training : %s%d steps of %d x %d tokens (%,d tokens), %s, lr %s/%s/%s%n",
                trainer.step() > 0 ? "from step " + trainer.step() + " to " : "", t.steps(), t.batch(), t.seqLen(),
                t.steps() * t.tokensPerStep(), t.matrixOptimizer().name().toLowerCase(Locale.ROOT),
                t.matrixLr(), t.embeddingLr(), t.unembeddingLr());
        out.flush();
    }

    /** Trains with a progress display and a Ctrl-C hook that stops at a checkpoint. */
    private static GptTrainer.Result train(GptTrainer trainer, Path dir, PrintWriter out) {
        GptTrainer.Result result = stoppable(trainer::requestStop, () -> {
            try (TrainingProgress progress = TrainingProgress.of(out, trainer.step(), trainer.config().steps())) {
                return trainer.train(progress);
            }
        });
        summarise(result, trainer.config(), dir, out);
        return result;
    }

    /**
     * Runs {@code work} with a shutdown hook that calls {@code requestStop} on Ctrl-C and holds the JVM until the
     * work has returned (at most {@value #STOP_WAIT_SECONDS} s), so that a trainer can write its checkpoint.
     */
    static <T> T stoppable(Runnable requestStop, Supplier<T> work) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop.run();
            try {
                finished.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "nanolens-stop-training");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.get();
        } finally {
            finished.countDown();
            removeHook(hook);
        }
    }

    private static void summarise(GptTrainer.Result r, TrainConfig config, Path dir, PrintWriter out) {
        out.printf(Locale.ROOT, "%s step %d of %d: train loss %.3f, val loss %.3f, %,.0f tokens/s, %s%n",
                r.stopped() ? "stopped at" : "done:", r.steps(), config.steps(), r.trainLoss(), r.valLoss(),
                r.seconds() > 0 ? r.tokens() / r.seconds() : 0, TrainingProgress.duration(r.seconds()));
        out.println(r.stopped() ? "checkpoint saved in " + dir + "; continue with --resume"
                : "model saved in " + dir + " (" + GptFiles.CONFIG_FILE + ", " + GptFiles.WEIGHTS_FILE + ", "
                + GptFiles.TOKENIZER_FILE + ", " + GptFiles.LOG_FILE + ")");
        out.flush();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting (Ctrl-C): the hook has run and waited for this training to finish.
        }
    }
}
