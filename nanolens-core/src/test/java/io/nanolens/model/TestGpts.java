package io.nanolens.model;

import io.nanolens.tensor.Tensor;

import java.util.SplittableRandom;

/** Fixtures for the model tests: a very small config, a model whose every weight is non-zero, random ids. */
final class TestGpts {
    /** V=23, d=16, 2 layers, 4 query heads sharing 2 kv heads (hd=4), context 8. */
    static final GptConfig SMALL = new GptConfig(8, 23, 2, 4, 2, 16);

    private TestGpts() {
    }

    /**
     * A nanochat-initialised model whose zero-initialised matrices (lm_head, both c_proj) get random values so
     * that every parameter influences the loss.
     */
    static Gpt model(GptConfig config, long seed) {
        Gpt gpt = new Gpt(config, seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        gpt.parameters().forEach((name, t) -> {
            if (name.equals("lm_head.weight") || name.endsWith("c_proj.weight")) {
                float std = (float) (1 / Math.sqrt(t.dim(1)));
                System.arraycopy(Tensor.randn(random.nextLong(), std, t.shape()).data(), 0, t.data(), 0, t.size());
            }
        });
        return gpt;
    }

    /** {@code n} ids in [0, bound) from a seed. */
    static int[] ids(long seed, int n, int bound) {
        return new SplittableRandom(seed).ints(n, 0, bound).toArray();
    }

    static float maxAbs(float[] a, int n) {
        float m = 0;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, Math.abs(a[i]));
        }
        return m;
    }
}
