package io.nanolens.cli;

import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.model.Sampler;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Simd;
import io.nanolens.text.BpeTrainingConfig;
import io.nanolens.train.Checkpoint;
import io.nanolens.train.GptTrainer;
import io.nanolens.train.TrainConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens demo}: the main job, end to end (our speedrun.sh). Trains the tiny preset on TinyWorld into
 * {@code runs/demo/model} (a few minutes on 2 cores; a finished model there is reused, an interrupted run resumed),
 * then prints its validation loss and a few stories it writes. Later stages join here as they land. Always exits 0
 * on a fresh clone.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on the built-in tinyworld corpus.",
        footer = {"", "Trains the tiny GPT on tinyworld into runs/demo/model (reused when finished,",
                "resumed after Ctrl-C), then prints its validation loss and three samples.",
                "", "Examples:", "  ./nanolens demo",
                "  ./nanolens sample --model runs/demo/model --prompt \"Once upon a time\""})
final class DemoCommand implements Callable<Integer> {
    static final Path MODEL_DIR = Path.of("runs", "demo", "model");
    static final String CORPUS = "tinyworld";
    // 300 steps of 16 × 128 tokens (0.6 M tokens) reach a validation loss near 0.8 nats, where samples read like
    // TinyWorld stories: about 2.5 minutes on 2 busy cores (measured: 300 steps in 2m27s at 4,200 tokens/s; 400 steps
    // took 6 minutes with the machine loaded four times over). 128 tokens hold most of a story.
    static final TrainConfig TRAINING = TrainConfig.of(16, 128, 300).withIntervals(100, 4, 100);
    // TinyWorld's word list is small: 20 M characters give every merge it has (about 1,600).
    static final long TOKENIZER_CHARS = 20_000_000L;
    static final List<String> PROMPTS = List.of("Once upon a time", "Long ago, in a quiet village,",
            "Mia was a brave girl.");
    static final int SAMPLE_TOKENS = 100;

    @Spec
    CommandSpec spec;

    /** Where the model is trained; {@link #MODEL_DIR} except in tests. */
    Path modelDir = MODEL_DIR;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("nanolens " + Nanolens.version() + " demo");
        out.printf("  machine : %d cores, %d MiB max heap, Java %d, %s %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, Runtime.version().feature(), System.getProperty("os.name"),
                System.getProperty("os.arch"));
        out.printf("  kernels : Vector API %s, %d-bit vectors, %d threads%n",
                Simd.enabled() ? "on" : "off (scalar path forced)", Simd.vectorBits(), Parallel.threads());
        out.println("  pipeline: tinyworld -> BPE tokenizer -> tiny GPT -> samples (SAE stages come later)");
        out.flush();
        String valLoss = train(out);
        GptFiles.Loaded model = GptFiles.load(modelDir);
        out.println("validation loss: " + valLoss + " nats per token");
        out.println("samples (temperature 0.8, top-k 50):");
        for (int i = 0; i < PROMPTS.size(); i++) {
            String text = SampleCommand.generate(model, PROMPTS.get(i), SAMPLE_TOKENS, new Sampler(0.8f, 50, i + 1));
            out.println("  " + (i + 1) + ". " + text.strip().replace("\n\n", "\n").replace("\n", "\n     "));
        }
        out.println("next: ./nanolens sample --model " + modelDir + " --prompt \"Once upon a time\"");
        return 0;
    }

    /** Trains, resumes or reuses the demo model; returns its validation loss as printed. */
    private String train(PrintWriter out) {
        Checkpoint saved = GptTrainer.hasCheckpoint(modelDir) ? GptTrainer.checkpoint(modelDir) : null;
        boolean same = saved != null && saved.trainConfig().equals(TRAINING)
                && saved.modelConfig().equals(GptConfig.tiny(saved.modelConfig().vocabSize()));
        boolean finished = same && saved.step() >= TRAINING.steps();
        if (finished && Files.isRegularFile(modelDir.resolve(GptFiles.WEIGHTS_FILE))) {
            out.println("model    : reusing the finished model in " + modelDir + " (delete it to train again)");
            String loss = GptFiles.load(modelDir).metadata().get("val_loss");
            return loss == null ? "unknown" : String.format(Locale.ROOT, "%.3f", Float.parseFloat(loss));
        }
        boolean resume = same && !finished;
        if (saved != null && !resume) {
            out.println("model    : " + modelDir + " holds another or an incomplete run; starting over");
            delete(modelDir.resolve(Checkpoint.FILE_NAME));
        }
        ModelTraining.Plan plan = new ModelTraining.Plan(CORPUS, modelDir, GptConfig::tiny, c -> TRAINING,
                BpeTrainingConfig.DEFAULT_VOCAB_SIZE, TOKENIZER_CHARS, resume, null);
        GptTrainer.Result result = ModelTraining.run(plan, out);
        return String.format(Locale.ROOT, "%.3f", result.valLoss());
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }
}
