package io.nanolens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.io.Directories;
import io.nanolens.io.SafeTensors;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptState;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * {@code ./nanolens bench model}: training and forward tokens/s of the tiny and small GPT presets, nanolens and
 * the same nanochat GPT in plain PyTorch ({@code bench/gpt_torch.py}) at the same batch, sequence length, vocabulary
 * and thread count, measured in alternating rounds of one run (the machine is noisy; ratios of interleaved
 * rounds hold where absolute figures drift). A training step is forward + loss + backward with the gradients
 * zeroed first, on both sides; the optimizer update is left out of both. Before timing, both sides compute the
 * loss of one set of random weights on one batch, to show they are the same model.
 */
final class ModelBenchmark {
    /** The vocabulary size of nanolens's default BPE tokenizer. */
    static final int VOCAB = 4096;
    private static final long SEED = 42;
    private static final int OUR_WARMUP = 3;      // steps, once per preset (JIT)
    private static final int TORCH_WARMUP = 1;    // steps, per launch of the script
    private static final int STEPS = 3;           // timed steps per round and side
    private static final int CHECK_BATCH = 2;
    private static final int CHECK_TIME = 64;
    /** Largest relative loss difference still called "the same model" (float32 sums in different orders). */
    static final double SAME_MODEL_TOLERANCE = 1e-4;

    /** A model size with the batch it is measured at (batch × its context = 2048 tokens per step). */
    record Preset(String name, GptConfig config, int batch) {
        int time() {
            return config.sequenceLen();
        }

        int tokens() {
            return batch * time();
        }
    }

    static final List<Preset> PRESETS = List.of(
            new Preset("tiny", GptConfig.tiny(VOCAB), 8),
            new Preset("small", GptConfig.small(VOCAB), 4));

    private final BenchReport report;
    private final int rounds;
    private TorchReference torch;    // null when missing or once it failed

    ModelBenchmark(BenchReport report, int rounds) {
        this.report = report;
        this.rounds = rounds;
    }

    void run() {
        int threads = Parallel.threads();
        TorchReference.Lookup lookup = TorchReference.find(TorchReference.GPT);
        torch = lookup.reference();
        report.put("threads", threads);
        report.put("vocab", VOCAB);
        report.put("rounds", rounds);
        report.put("train_step", "forward+loss+backward, gradients zeroed, optimizer excluded on both sides");
        report.line("GPT tokens/s, float32, %d threads, vocab %d; best of %d rounds, nanolens and PyTorch alternating",
                threads, VOCAB, rounds);
        report.line("train = forward + loss + backward (gradients zeroed first; optimizer excluded on both sides);"
                + " forward = logits only, no grad");
        if (torch == null) {
            report.line("reference: none (%s)", lookup.missing());
        } else {
            report.put("torch", torch.version());
            report.line("reference: PyTorch %s, %s run by %s", torch.version(), torch.name(), torch.python());
            for (Preset p : PRESETS) {
                guarded(() -> checkSameModel(p));
            }
        }
        report.line("%-6s %-8s %-8s %12s %12s %7s", "preset", "B×T", "pass", "nanolens", "PyTorch", "ratio");
        for (Preset p : PRESETS) {
            measure(p);
        }
    }

    /** Runs a step of the reference; if the script fails, says so once and carries on with nanolens alone. */
    private void guarded(Runnable torchWork) {
        if (torch == null) {
            return;
        }
        try {
            torchWork.run();
        } catch (IllegalStateException e) {
            torch = null;
            report.line("reference failed, nanolens's figures follow alone: %s", e.getMessage());
        }
    }

    /** Both sides' loss for one set of random weights on one batch; a warning line if they differ. */
    private void checkSameModel(Preset p) {
        double[] losses = sameModelLosses(p.config(), torch, CHECK_BATCH, Math.min(CHECK_TIME, p.time()));
        double rel = Math.abs(losses[0] - losses[1]) / Math.abs(losses[1]);
        report.put(p.name() + "_check_loss", losses[0]);
        report.put(p.name() + "_check_torch_loss", losses[1]);
        report.putExact(p.name() + "_check_loss_rel_diff", rel);
        report.line("same model (%s): loss %.6f nanolens, %.6f PyTorch, relative difference %.1e%s", p.name(),
                losses[0], losses[1], rel, rel <= SAME_MODEL_TOLERANCE ? ""
                        : " — WARNING: above " + SAME_MODEL_TOLERANCE + ", the two models differ");
    }

    private void measure(Preset p) {
        Gpt gpt = randomModel(p.config(), SEED);
        GptState train = GptState.forTraining(p.config(), p.batch(), p.time());
        GptState infer = GptState.forInference(p.config(), p.batch(), p.time());
        SplittableRandom random = new SplittableRandom(SEED);
        int[] tokens = randomTokens(random, p.tokens(), VOCAB);
        int[] targets = randomTokens(random, p.tokens(), VOCAB);
        IntConsumer trainStep = i -> {
            gpt.zeroGradients();
            gpt.forward(train, tokens, targets);
            gpt.backward(train);
        };
        IntConsumer forwardStep = i -> gpt.forward(infer, tokens, p.batch(), p.time(), null, null);
        for (int i = 0; i < OUR_WARMUP; i++) {
            trainStep.accept(i);
            forwardStep.accept(i);
        }
        double[] best = new double[4];   // ours train, ours forward, torch train, torch forward
        for (int r = 0; r < rounds; r++) {
            boolean torchFirst = r % 2 == 1;
            if (torchFirst) {
                guarded(() -> torchRound(p, best));
            }
            best[0] = Math.max(best[0], tokensPerSecond(p, trainStep));
            best[1] = Math.max(best[1], tokensPerSecond(p, forwardStep));
            if (!torchFirst) {
                guarded(() -> torchRound(p, best));
            }
        }
        report.put(p.name() + "_batch", p.batch());
        report.put(p.name() + "_seq_len", p.time());
        row(p, "train", best[0], torch == null ? 0 : best[2]);
        row(p, "forward", best[1], torch == null ? 0 : best[3]);
    }

    private void torchRound(Preset p, double[] best) {
        JsonNode r = torch.call(List.of("--preset", p.name(), "--batch", String.valueOf(p.batch()),
                "--seq-len", String.valueOf(p.time()), "--vocab", String.valueOf(VOCAB),
                "--steps", String.valueOf(STEPS), "--warmup", String.valueOf(TORCH_WARMUP),
                "--threads", String.valueOf(Parallel.threads()), "--seed", String.valueOf(SEED)));
        best[2] = Math.max(best[2], r.path("train_tokens_per_s").asDouble());
        best[3] = Math.max(best[3], r.path("forward_tokens_per_s").asDouble());
    }

    private void row(Preset p, String pass, double ours, double theirs) {
        String key = p.name() + "_" + pass;
        report.put(key + "_tokens_per_s", ours);
        String shape = p.batch() + "×" + p.time();
        if (theirs > 0) {
            report.put(key + "_torch_tokens_per_s", theirs);
            report.put(key + "_vs_torch_ratio", ours / theirs);
            report.line("%-6s %-8s %-8s %12.0f %12.0f %7.2f", p.name(), shape, pass, ours, theirs, ours / theirs);
        } else {
            report.line("%-6s %-8s %-8s %12.0f %12s %7s", p.name(), shape, pass, ours, "-", "-");
        }
    }

    private static double tokensPerSecond(Preset p, IntConsumer step) {
        long t0 = System.nanoTime();
        for (int i = 0; i < STEPS; i++) {
            step.accept(i);
        }
        return (double) p.tokens() * STEPS / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * The mean cross-entropy of one seeded random model on one seeded random batch, {nanolens, PyTorch}: the weights
     * go to the script through a temporary safetensors file under nanochat's names.
     */
    static double[] sameModelLosses(GptConfig config, TorchReference torch, int batch, int time) {
        Gpt gpt = randomModel(config, SEED);
        LossCheck check = LossCheck.random(SEED + 1, batch, time, config.vocabSize());
        Path weights = null;
        try {
            weights = Files.createTempFile("nanolens-bench-model-", ".safetensors");
            SafeTensors.write(weights, gpt.parameters(), Map.of("n_head", String.valueOf(config.nHead()),
                    "n_kv_head", String.valueOf(config.nKvHead())));
            return new double[] {check.ours(gpt), check.torch(torch, List.of("--weights", weights.toString()))};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the check weights: " + e.getMessage(), e);
        } finally {
            Directories.deleteQuietly(weights);
        }
    }

    /**
     * A model with every weight random (nanochat starts lm_head and c_proj at zero, which would make every logit 0
     * and hide differences): N(0, 1) embeddings, N(0, 1/fan_in) linear weights.
     */
    static Gpt randomModel(GptConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Gpt.parameterShapes(config).forEach((name, shape) -> weights.put(name, Tensor.randn(random.nextLong(),
                name.equals("transformer.wte.weight") ? 1f : (float) (1 / Math.sqrt(shape[1])), shape)));
        return Gpt.of(config, weights);
    }

    static int[] randomTokens(SplittableRandom random, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(vocab);
        }
        return ids;
    }
}
