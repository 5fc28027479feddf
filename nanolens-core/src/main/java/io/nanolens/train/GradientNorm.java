package io.nanolens.train;

import io.nanolens.tensor.Tensor;

import java.util.Collection;

/**
 * Global gradient-norm clipping, as PyTorch's {@code clip_grad_norm_} that nanochat calls before every step: the L2
 * norm over all gradients together, and when it exceeds the limit every gradient is scaled by limit / norm. The sum
 * runs in float64 in a fixed order, so the norm is the same on every run.
 */
final class GradientNorm {
    private GradientNorm() {
    }

    /**
     * Scales the gradients down to norm {@code maxNorm} if they are longer (0 = never) and returns the norm before
     * scaling; a NaN or infinite norm is returned without touching them.
     */
    static float clip(Collection<Tensor> gradients, float maxNorm) {
        double sumSquares = 0;
        for (Tensor g : gradients) {
            for (float x : g.data()) {
                sumSquares += (double) x * x;
            }
        }
        float norm = (float) Math.sqrt(sumSquares);
        if (maxNorm > 0 && norm > maxNorm && Float.isFinite(norm)) {
            float scale = maxNorm / norm;
            for (Tensor g : gradients) {
                float[] d = g.data();
                for (int i = 0; i < d.length; i++) {
                    d[i] *= scale;
                }
            }
        }
        return norm;
    }
}
