package io.nanolens.model;

import io.nanolens.tensor.Ops;

/**
 * Parameter-free RMSNorm, y = x / √(mean(x²) + ε) over each row of d values, as nanochat's {@code norm} calls
 * {@code F.rms_norm(x, (d,))}. Used on the embeddings, before attention and MLP, at the end, and per head on
 * queries and keys (QK norm). Forward and backward side by side, llm.c style, on the {@link Ops} kernels.
 */
final class RmsNorm {
    /** float32 machine epsilon: what {@code F.rms_norm} uses when eps is None, so outputs match nanochat's. */
    static final float EPS = GptConfig.NANOCHAT_EPS;

    private RmsNorm() {
    }

    /**
     * out = x · rstd per row.
     *
     * @param x    [rows, d]
     * @param out  [rows, d]
     * @param rstd [rows] receives 1 / √(mean(x²) + ε), kept for the backward pass
     */
    static void forward(float[] x, float[] out, float[] rstd, int rows, int d) {
        Ops.rmsNorm(x, null, out, rstd, rows, d, EPS);
    }

    /**
     * dx = rstd · (dout − y · mean(dout · y)) with y = x · rstd, the gradient through the norm.
     *
     * @param dout [rows, d] gradient w.r.t. the output
     * @param x    [rows, d] the forward input
     * @param rstd [rows] from the forward pass
     * @param dx   [rows, d] receives the gradient w.r.t. x (overwritten; may be the same array as dout)
     */
    static void backward(float[] dout, float[] x, float[] rstd, float[] dx, int rows, int d) {
        Ops.rmsNormBackward(dout, x, null, rstd, dx, null, rows, d);
    }
}
