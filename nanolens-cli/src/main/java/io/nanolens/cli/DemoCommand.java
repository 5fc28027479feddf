package io.nanolens.cli;

import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.model.Sampler;
import io.nanolens.sae.train.SaeMetrics;
import io.nanolens.sae.train.SaeTrainingConfig;
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
 * {@code runs/demo/model} (a few minutes on 2 cores), prints its validation loss and a few stories it writes, then
 * trains a TopK SAE on the middle layer's residual stream into {@code runs/demo/sae} and prints its FVU, L0 and dead
 * fraction. Finished runs are reused, interrupted ones resumed; later stages join here. Exits 0 on a fresh clone.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on the built-in tinyworld corpus.",
        footer = {"", "Trains the tiny GPT on tinyworld into runs/demo/model (reused when finished,",
                "resumed after Ctrl-C), then prints its validation loss and three samples;",
                "then trains a TopK SAE (8 x 128 latents, k 32) on the middle layer's residual",
                "stream into runs/demo/sae (the same way) and prints its FVU, L0 and dead fraction.",
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
    static final Path SAE_DIR = Path.of("runs", "demo", "sae");
    // 1 M rows in steps of 1024 at lr 1e-2 (a short run wants a rate far above the 1/sqrt(m) law's 8e-4) bring a TopK
    // SAE with 1024 latents and k 32 to an FVU of 0.03 with no dead latents: 42 s measured, harvest included, on 2
    // cores loaded five times over (lr 2e-3 and batch 4096 gave FVU 0.12 on 0.4 M rows).
    static final long SAE_TOKENS = 1_000_000;
    static final int SAE_BATCH = 1024;
    static final float SAE_LR = 1e-2f;
    static final SaeSweep SAE = new SaeSweep(List.of("topk"), List.of(8), List.of(32), List.of());

    @Spec
    CommandSpec spec;

    /** Where the model is trained; {@link #MODEL_DIR} except in tests. */
    Path modelDir = MODEL_DIR;
    /** Where the SAE is trained; {@link #SAE_DIR} except in tests. */
    Path saeDir = SAE_DIR;
    /** Activation rows the SAE trains on; {@link #SAE_TOKENS} except in tests. */
    long saeTokens = SAE_TOKENS;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("nanolens " + Nanolens.version() + " demo");
        out.printf("  machine : %d cores, %d MiB max heap, Java %d, %s %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                Runtime.version().feature(), System.getProperty("os.name"), System.getProperty("os.arch"));
        out.printf("  kernels : Vector API %s, %d-bit vectors, %d threads%n",
                Simd.enabled() ? "on" : "off (scalar path forced)", Simd.vectorBits(), Parallel.threads());
        out.println("  pipeline: tinyworld -> BPE tokenizer -> tiny GPT -> samples -> activations -> TopK SAE");
        out.flush();
        boolean reused = finishedModel();
        String valLoss = train(out);
        GptFiles.Loaded model = GptFiles.load(modelDir);
        out.println("validation loss: " + valLoss + " nats per token");
        out.println("samples (temperature 0.8, top-k 50):");
        for (int i = 0; i < PROMPTS.size(); i++) {
            String text = SampleCommand.generate(model, PROMPTS.get(i), SAMPLE_TOKENS, new Sampler(0.8f, 50, i + 1));
            out.println("  " + (i + 1) + ". " + text.strip().replace("\n\n", "\n").replace("\n", "\n     "));
        }
        trainSae(model, !reused, out);
        out.println("next: ./nanolens sample --model " + modelDir + " --prompt \"Once upon a time\"");
        return 0;
    }

    /** Trains, resumes or reuses the TopK SAE on the middle layer; a new model makes an old SAE stale. */
    private void trainSae(GptFiles.Loaded model, boolean newModel, PrintWriter out) {
        String hook = "blocks." + model.gpt().config().nLayer() / 2 + ".hook_resid_post";
        SaeTraining.Request request = new SaeTraining.Request(modelDir.toString(), hook, null, CORPUS, null, false,
                SAE, SaeTrainingConfig.of(saeTokens).withBatchRows(SAE_BATCH).withLr(SAE_LR));
        out.println("SAE      : TopK, " + SAE.expansions().getFirst() + " latents per dimension, k "
                + SAE.ks().getFirst() + ", on " + hook);
        for (SaeMetrics m : SaeTraining.ensure(saeDir, request, model, newModel, out)) {
            out.printf(Locale.ROOT, "SAE %s: FVU %.3f, L0 %.1f, dead %.1f%% of latents (saved in %s)%n", m.sae(),
                    m.fvu(), m.l0(), 100 * m.deadFraction(), saeDir);
        }
    }

    /** The demo run saved in the model directory (same model and training config), or null. */
    private Checkpoint savedRun() {
        Checkpoint saved = GptTrainer.hasCheckpoint(modelDir) ? GptTrainer.checkpoint(modelDir) : null;
        return saved != null && saved.trainConfig().equals(TRAINING)
                && saved.modelConfig().equals(GptConfig.tiny(saved.modelConfig().vocabSize())) ? saved : null;
    }

    /** Whether the model directory holds the demo's finished model, which {@link #train} reuses. */
    private boolean finishedModel() {
        Checkpoint saved = savedRun();
        return saved != null && saved.step() >= TRAINING.steps()
                && Files.isRegularFile(modelDir.resolve(GptFiles.WEIGHTS_FILE));
    }

    /** Trains, resumes or reuses the demo model; returns its validation loss as printed. */
    private String train(PrintWriter out) {
        if (finishedModel()) {
            out.println("model    : reusing the finished model in " + modelDir + " (delete it to train again)");
            String loss = GptFiles.load(modelDir).metadata().get("val_loss");
            return loss == null ? "unknown" : String.format(Locale.ROOT, "%.3f", Float.parseFloat(loss));
        }
        Checkpoint same = savedRun();
        boolean resume = same != null && same.step() < TRAINING.steps();
        if (GptTrainer.hasCheckpoint(modelDir) && !resume) {
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
