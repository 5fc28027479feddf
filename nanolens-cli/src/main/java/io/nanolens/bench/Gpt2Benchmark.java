package io.nanolens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.io.Directories;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
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

/**
 * {@code ./nanolens bench gpt2}: forward tokens/s of GPT-2 small's shapes (d 768, 12 layers of 12 heads, vocabulary
 * 50257, context 1024; random weights, so nothing is downloaded) on one sequence of {@value #TIME} tokens, nanolens
 * and the same GPT-2 in plain PyTorch ({@code bench/gpt2_torch.py}) with the same thread count, measured in
 * alternating rounds of one run (ratios of interleaved rounds hold where the shared machine's absolute figures
 * drift). A forward pass is logits for every position, no loss, no gradients, on both sides. Before timing, both
 * sides compute the loss of one small random GPT-2 (written as a Hugging Face directory) on one batch, to show they
 * run the same model.
 */
final class Gpt2Benchmark {
    static final int BATCH = 1;
    static final int TIME = 256;
    private static final long SEED = 42;
    private static final int OUR_WARMUP = 2;      // passes (JIT)
    private static final int TORCH_WARMUP = 1;    // passes, per launch of the script
    private static final int STEPS = 3;           // timed passes per round and side
    /** The same-model check: a GPT-2 small enough to write and read in a moment, every parameter random. */
    static final GptConfig CHECK = GptConfig.gpt2(64, 1000, 2, 4, 128, GptConfig.GPT2_EPS);
    private static final int CHECK_BATCH = 2;
    private static final int CHECK_TIME = 48;

    private final BenchReport report;
    private final int rounds;
    private TorchReference torch;    // null when missing or once it failed

    Gpt2Benchmark(BenchReport report, int rounds) {
        this.report = report;
        this.rounds = rounds;
    }

    void run() {
        GptConfig config = GptConfig.gpt2Small();
        TorchReference.Lookup lookup = TorchReference.find(TorchReference.GPT2);
        torch = lookup.reference();
        report.put("threads", Parallel.threads());
        report.put("rounds", rounds);
        report.put("batch", BATCH);
        report.put("seq_len", TIME);
        report.line("GPT-2 small forward tokens/s (d %d, %d layers, %d heads, vocab %d), float32, %d threads, %d × %d "
                        + "tokens; best of %d rounds, nanolens and PyTorch alternating; random weights",
                config.nEmbd(), config.nLayer(), config.nHead(), config.vocabSize(), Parallel.threads(), BATCH, TIME,
                rounds);
        if (torch == null) {
            report.line("reference: none (%s)", lookup.missing());
        } else {
            report.put("torch", torch.version());
            report.line("reference: PyTorch %s, %s run by %s", torch.version(), torch.name(), torch.python());
            guarded(this::checkSameModel);
        }
        measure(config);
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

    private void checkSameModel() {
        double[] losses = sameModelLosses(torch);
        double rel = Math.abs(losses[0] - losses[1]) / Math.abs(losses[1]);
        report.put("check_loss", losses[0]);
        report.put("check_torch_loss", losses[1]);
        report.putExact("check_loss_rel_diff", rel);
        report.line("same model: loss %.6f nanolens, %.6f PyTorch, relative difference %.1e%s", losses[0], losses[1],
                rel, rel <= ModelBenchmark.SAME_MODEL_TOLERANCE ? ""
                        : " — WARNING: above " + ModelBenchmark.SAME_MODEL_TOLERANCE + ", the two models differ");
    }

    private void measure(GptConfig config) {
        Gpt gpt = randomModel(config, SEED);
        GptState state = GptState.forInference(config, BATCH, TIME);
        int[] tokens = ModelBenchmark.randomTokens(new SplittableRandom(SEED), BATCH * TIME, config.vocabSize());
        Runnable pass = () -> gpt.forward(state, tokens, BATCH, TIME, null, null);
        for (int i = 0; i < OUR_WARMUP; i++) {
            pass.run();
        }
        double ours = 0;
        double theirs = 0;
        for (int r = 0; r < rounds; r++) {
            boolean torchFirst = r % 2 == 1;
            double[] torchBest = {theirs};
            if (torchFirst) {
                guarded(() -> torchBest[0] = Math.max(torchBest[0], torchRound()));
            }
            ours = Math.max(ours, tokensPerSecond(pass));
            if (!torchFirst) {
                guarded(() -> torchBest[0] = Math.max(torchBest[0], torchRound()));
            }
            theirs = torchBest[0];
        }
        double gflops = forwardFlops(config) * ours / (BATCH * TIME) / 1e9;
        report.put("gpt2_small_forward_tokens_per_s", ours);
        report.put("gpt2_small_forward_gflops", gflops);
        report.line("%-10s %-8s %12s %12s %7s", "model", "B×T", "nanolens", "PyTorch", "ratio");
        if (torch != null && theirs > 0) {
            report.put("gpt2_small_forward_torch_tokens_per_s", theirs);
            report.put("gpt2_small_forward_vs_torch_ratio", ours / theirs);
            report.line("%-10s %-8s %12.0f %12.0f %7.2f", "gpt2-small", BATCH + "×" + TIME, ours, theirs,
                    ours / theirs);
        } else {
            report.line("%-10s %-8s %12.0f %12s %7s", "gpt2-small", BATCH + "×" + TIME, ours, "-", "-");
        }
        report.line("nanolens: %.1f GFLOP/s over the forward pass's matmuls and attention", gflops);
    }

    private double torchRound() {
        JsonNode r = torch.call(List.of("--batch", String.valueOf(BATCH), "--seq-len", String.valueOf(TIME),
                "--steps", String.valueOf(STEPS), "--warmup", String.valueOf(TORCH_WARMUP),
                "--threads", String.valueOf(Parallel.threads()), "--seed", String.valueOf(SEED)));
        return r.path("forward_tokens_per_s").asDouble();
    }

    private static double tokensPerSecond(Runnable pass) {
        long t0 = System.nanoTime();
        for (int i = 0; i < STEPS; i++) {
            pass.run();
        }
        return (double) BATCH * TIME * STEPS / ((System.nanoTime() - t0) / 1e9);
    }

    /** 2·B·T·(12·L·d² + V·d) for the linear layers and the head, plus 2·B·L·T²·d for causal q·kᵀ and p·v. */
    static double forwardFlops(GptConfig c) {
        double d = c.nEmbd();
        double rows = (double) BATCH * TIME;
        return 2 * rows * (12 * c.nLayer() * d * d + c.vocabSize() * d) + 2.0 * BATCH * c.nLayer() * TIME * TIME * d;
    }

    /**
     * The loss of one seeded random GPT-2 ({@link #CHECK}) on one seeded random batch, {nanolens, PyTorch}: the
     * script reads the model from a temporary Hugging Face directory nanolens wrote.
     */
    static double[] sameModelLosses(TorchReference torch) {
        Gpt gpt = randomModel(CHECK, SEED);
        LossCheck check = LossCheck.random(SEED + 1, CHECK_BATCH, CHECK_TIME, CHECK.vocabSize());
        Path dir = null;
        try {
            dir = Files.createTempDirectory("nanolens-bench-gpt2-");
            GptFiles.save(dir, gpt, Map.of());
            return new double[] {check.ours(gpt), check.torch(torch, List.of("--model", dir.toString()))};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the check model: " + e.getMessage(), e);
        } finally {
            Directories.deleteQuietly(dir);
        }
    }

    /**
     * A GPT-2 with every parameter random and large enough to matter (Hugging Face's N(0, 0.02) start would make
     * every logit nearly 0 and hide differences): embeddings N(0, 0.3²), Conv1D weights N(0, 1/fan_in), LayerNorm
     * weights 1 + N(0, 0.1²), biases N(0, 0.1²).
     */
    static Gpt randomModel(GptConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Gpt.parameterShapes(config).forEach((name, shape) -> {
            Tensor t;
            if (name.startsWith("wte.") || name.startsWith("wpe.")) {
                t = Tensor.randn(random.nextLong(), 0.3f, shape);
            } else if (shape.length == 2) {
                t = Tensor.randn(random.nextLong(), (float) (1 / Math.sqrt(shape[0])), shape);
            } else {
                t = Tensor.randn(random.nextLong(), 0.1f, shape);
                if (name.contains("ln_") && name.endsWith(".weight")) {
                    float[] v = t.data();
                    for (int i = 0; i < v.length; i++) {
                        v[i] += 1;
                    }
                }
            }
            weights.put(name, t);
        });
        return Gpt.of(config, weights);
    }
}
