package io.nanolens.bench;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Sampler;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.steer.InterpretableModel;
import io.nanolens.steer.Tracking;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * {@code ./nanolens bench runtime}: what feature tracking costs while generating. The demo model (runs/demo/model,
 * or a random model of the same tiny shape when it is absent: speed does not depend on the weights) generates
 * with one TopK SAE of expansion 8 attached at its middle layer's residual stream, with tracking off and on,
 * alternately; the ratio is tracked ÷ untracked tokens/s (the target: at most 5 % slower, ratio ≥ 0.95).
 */
final class RuntimeBenchmark {
    private static final Path DEMO_MODEL = Path.of("runs", "demo", "model");
    private static final int EXPANSION = 8;
    private static final int K = 32;
    private static final int NEW_TOKENS = 200;
    private static final int TOP = 5;

    private final BenchReport report;
    private final int rounds;

    RuntimeBenchmark(BenchReport report, int repeats) {
        this.report = report;
        this.rounds = Math.max(3, repeats);
    }

    void run() {
        Gpt gpt;
        String which;
        if (Files.isRegularFile(DEMO_MODEL.resolve(GptFiles.WEIGHTS_FILE))) {
            gpt = GptFiles.load(DEMO_MODEL).gpt();
            which = "the demo model (" + DEMO_MODEL + ")";
        } else {
            gpt = randomModel(GptConfig.tiny(1851));
            which = "a random model of the demo's shape (no " + DEMO_MODEL + "; run ./nanolens demo for the real one)";
        }
        GptConfig c = gpt.config();
        HookPoint hook = HookPoint.parse("blocks." + c.nLayer() / 2 + ".hook_resid_post", c);
        Sae sae = Sae.create(SaeConfig.of(Architecture.TOP_K, c.nEmbd(), EXPANSION * c.nEmbd()).withK(K), 1);
        InterpretableModel im = new InterpretableModel(gpt, null).attach("sae", sae, hook);
        int[] prompt = {0, 5, 9, 12};
        report.line("generation tokens/s with feature tracking off and on, %d threads, best of %d alternating rounds",
                Parallel.threads(), rounds);
        report.line("model: %s, %d layers, d=%d; SAE: TopK k=%d, %d latents at %s; %d new tokens per round, top %d",
                which, c.nLayer(), c.nEmbd(), K, sae.dSae(), hook.name(), NEW_TOKENS, TOP);
        for (int i = 0; i < 2; i++) {         // warm-up, both paths
            generate(im, prompt, null);
            try (Tracking t = im.track(TOP)) {
                generate(im, prompt, t);
            }
        }
        double off = 0;
        double on = 0;
        for (int r = 0; r < rounds; r++) {
            off = Math.max(off, generate(im, prompt, null));
            try (Tracking t = im.track(TOP)) {
                on = Math.max(on, generate(im, prompt, t));
            }
        }
        report.line("%-10s %12s", "tracking", "tokens/s");
        report.line("%-10s %12.0f", "off", off);
        report.line("%-10s %12.0f", "on", on);
        report.line("ratio tracked ÷ untracked: %.3f (%.1f %% slower)", on / off, 100 * (1 - on / off));
        report.put("untracked_tokens_per_s", off);
        report.put("tracked_tokens_per_s", on);
        report.put("tracked_vs_untracked_ratio", on / off);
    }

    /**
     * Tokens/s of one greedy generation of {@link #NEW_TOKENS} tokens (no early stop); with tracking, until every
     * token's features are recorded (the encodes run beside the forward passes and may finish after them).
     */
    private static double generate(InterpretableModel im, int[] prompt, Tracking tracking) {
        long t0 = System.nanoTime();
        im.generate(prompt, NEW_TOKENS, Sampler.greedy(), id -> false);
        if (tracking != null && tracking.tokens().size() < prompt.length + NEW_TOKENS - 1) {
            throw new IllegalStateException("tracking recorded " + tracking.tokens().size() + " of "
                    + (prompt.length + NEW_TOKENS - 1) + " tokens");
        }
        return NEW_TOKENS / ((System.nanoTime() - t0) / 1e9);
    }

    private static Gpt randomModel(GptConfig config) {
        Gpt gpt = new Gpt(config, 1);
        SplittableRandom random = new SplittableRandom(1);
        for (Tensor t : gpt.parameters().values()) {
            float[] w = t.data();
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (0.05 * random.nextGaussian());
            }
        }
        return gpt;
    }
}
