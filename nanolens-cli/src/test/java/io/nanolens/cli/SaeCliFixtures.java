package io.nanolens.cli;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.sae.store.ActivationShards;
import io.nanolens.sae.store.ActivationStream;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.TinyWorld;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fixtures for the SAE command tests: small model directories made in milliseconds (a 300-token BPE tokenizer, a
 * random 2-layer GPT with context 32) and helpers to read activations back.
 */
final class SaeCliFixtures {
    static final String CORPUS = "tinyworld:1:300";
    static final String HOOK = "blocks.1.hook_resid_post";

    private SaeCliFixtures() {
    }

    /**
     * A model directory with a d = {@code dim}, 2-layer, 2-head GPT of context 32: nanochat's initialisation with
     * its zero output projections made random, so that every block changes the residual stream.
     */
    static Path model(Path dir, int dim, long seed) {
        TinyWorld world = new TinyWorld(3, 50);
        Bpe tokenizer = Bpe.train(() -> world.documents().iterator(), 300);
        Gpt gpt = new Gpt(new GptConfig(32, tokenizer.vocabSize(), 2, 2, 2, dim), seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        gpt.parameters().forEach((name, t) -> {
            if (name.endsWith("c_proj.weight")) {
                float std = (float) (1 / Math.sqrt(t.dim(1)));
                System.arraycopy(Tensor.randn(random.nextLong(), std, t.shape()).data(), 0, t.data(), 0, t.size());
            }
        });
        tokenizer.save(dir);
        GptFiles.save(dir, gpt, Map.of());
        return dir;
    }

    /** Every row of an activation directory in harvest order, [rows, d_in]. */
    static float[] rows(Path activations) {
        List<float[]> pieces = new ArrayList<>();
        int total = 0;
        try (ActivationStream stream = ActivationShards.openInOrder(activations)) {
            float[] buffer = new float[1024 * stream.width()];
            for (int n; (n = stream.read(buffer, 0, 1024)) > 0; ) {
                float[] piece = new float[n * stream.width()];
                System.arraycopy(buffer, 0, piece, 0, piece.length);
                pieces.add(piece);
                total += piece.length;
            }
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] p : pieces) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Σ‖x − x̂‖² / Σ‖x − x̄‖² over rows of width d. */
    static double fvu(float[] x, float[] recon, int d) {
        int rows = x.length / d;
        double[] mean = new double[d];
        for (int i = 0; i < x.length; i++) {
            mean[i % d] += x[i] / (double) rows;
        }
        double err = 0;
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            err += (x[i] - recon[i]) * (double) (x[i] - recon[i]);
            total += (x[i] - mean[i % d]) * (x[i] - mean[i % d]);
        }
        return err / total;
    }
}
