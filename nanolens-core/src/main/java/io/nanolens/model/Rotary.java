package io.nanolens.model;

import io.nanolens.io.HalfPrecision;

/**
 * Rotary position embeddings (Su et al. 2021, https://arxiv.org/abs/2104.09864) in nanochat's "halves" layout:
 * channel i of the first half rotates with channel i of the second half by angle pos · base^(−2i/hd), applied to
 * queries and keys before QK norm. The tables are computed in double and stored as float, or, for a model read
 * from a nanochat checkpoint, computed as nanochat's {@code _precompute_rotary_embeddings} does (float32 inverse
 * frequencies and angles) and rounded to bfloat16 as it keeps them, so its checkpoints give nanochat's logits.
 */
final class Rotary {
    /** nanochat v1's rotary base. */
    static final double BASE = 10_000;

    private final int half;           // hd / 2
    private final float[] cos;        // [positions, hd/2]
    private final float[] sin;        // [positions, hd/2]

    Rotary(int headDim, int positions) {
        this(headDim, positions, false);
    }

    /** Tables for {@code positions} positions; {@code bf16Tables}: nanochat's float32 angles and bfloat16 values. */
    Rotary(int headDim, int positions, boolean bf16Tables) {
        half = headDim / 2;
        cos = new float[positions * half];
        sin = new float[positions * half];
        for (int i = 0; i < half; i++) {
            double invFreq = Math.pow(BASE, -2.0 * i / headDim);
            float invFreq32 = 1f / (float) Math.pow(BASE, (float) (2 * i) / headDim);
            for (int p = 0; p < positions; p++) {
                if (bf16Tables) {
                    float angle = (float) p * invFreq32;
                    cos[p * half + i] = bf16((float) Math.cos(angle));
                    sin[p * half + i] = bf16((float) Math.sin(angle));
                } else {
                    cos[p * half + i] = (float) Math.cos(p * invFreq);
                    sin[p * half + i] = (float) Math.sin(p * invFreq);
                }
            }
        }
    }

    private static float bf16(float value) {
        return HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(value));
    }

    /**
     * Rotates in place: y1 = x1·cos + x2·sin, y2 = −x1·sin + x2·cos.
     *
     * @param x     [rows, heads, hd] with row r at position start + r % time
     */
    void forward(float[] x, int rows, int heads, int time, int start) {
        rotate(x, rows, heads, time, start, 1f);
    }

    /** The transpose rotation in place: dx1 = dy1·cos − dy2·sin, dx2 = dy1·sin + dy2·cos. */
    void backward(float[] dx, int rows, int heads, int time, int start) {
        rotate(dx, rows, heads, time, start, -1f);
    }

    private void rotate(float[] x, int rows, int heads, int time, int start, float direction) {
        int hd = 2 * half;
        for (int r = 0; r < rows; r++) {
            int table = (start + r % time) * half;
            for (int h = 0; h < heads; h++) {
                int off = (r * heads + h) * hd;
                for (int i = 0; i < half; i++) {
                    float c = cos[table + i];
                    float s = direction * sin[table + i];
                    float x1 = x[off + i];
                    float x2 = x[off + half + i];
                    x[off + i] = x1 * c + x2 * s;
                    x[off + half + i] = -x1 * s + x2 * c;
                }
            }
        }
    }
}
