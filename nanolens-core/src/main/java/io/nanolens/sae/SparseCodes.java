package io.nanolens.sae;

import io.nanolens.tensor.Ops;
import io.nanolens.tensor.Parallel;

import java.util.Arrays;

/**
 * The kept latents of a TopK-family SAE for one batch, as segments of {@code width} (latent, value) pairs: the form
 * the sparse kernels of {@link Ops} take, so decoding and every backward product cost O(pairs·d) instead of
 * O(B·m·d). TopK and AuxK have one segment per batch row. BatchTopK keeps a different number of latents per row;
 * each row's latents are cut into segments of at most {@code width} (the last padded with zero values), which
 * bounds the padding by one segment per row: at most 2·B segments for k·B pairs. Segments then name their row,
 * and rows are gathered per segment before a transposed product. Padding pairs name a valid latent with value 0,
 * so they add nothing; {@link #maskInactive} zeroes their gradients. See PERFORMANCE.md, "Where an SAE training
 * step spends its time".
 */
final class SparseCodes {
    private static final int GRAIN_FLOPS = 1 << 15; // below this much work per chunk, threads cost more than they save

    final int d;
    final int[] idx;                // [segments·width] latent of each pair
    final float[] val;              // [segments·width] activation of each pair (0 for padding)
    final float[] grad;             // [segments·width] dL/d(pair value), then dL/d(pre-activation)
    final int[] row;                // [segments] batch row of each segment; null when segment s is row s
    private final float[] gathered; // [segments, d] one batch row per segment (segmented codes only)
    private final float[] decoded;  // [segments, d] decode per segment (segmented codes only)
    int width;                      // pairs per segment in use
    int segments;                   // segments in use

    private SparseCodes(int maxSegments, int maxWidth, int d, boolean segmented) {
        this.d = d;
        int pairs = Math.multiplyExact(maxSegments, maxWidth);
        idx = new int[pairs];
        val = new float[pairs];
        grad = new float[pairs];
        row = segmented ? new int[maxSegments] : null;
        gathered = segmented ? new float[Math.multiplyExact(maxSegments, d)] : null;
        decoded = segmented ? new float[Math.multiplyExact(maxSegments, d)] : null;
    }

    /** Codes with one segment of up to {@code maxWidth} pairs per batch row. */
    static SparseCodes perRow(int maxRows, int maxWidth, int d) {
        return new SparseCodes(maxRows, maxWidth, d, false);
    }

    /** Codes whose segments name their batch row. */
    static SparseCodes segmented(int maxSegments, int maxWidth, int d) {
        return new SparseCodes(maxSegments, maxWidth, d, true);
    }

    int pairs() {
        return segments * width;
    }

    int rowOf(int segment) {
        return row == null ? segment : row[segment];
    }

    /** out[rows, d] (+)= Σ_pairs values[p]·w[idx[p], :] added to each pair's row; rows without pairs get 0 (+ 0). */
    void decode(float[] values, float[] w, float[] out, int rows, boolean accumulate) {
        if (row == null) {
            Ops.sparseDecode(idx, values, segments, width, w, d, out, accumulate);
            return;
        }
        if (!accumulate) {
            Arrays.fill(out, 0, rows * d, 0f);
        }
        Ops.sparseDecode(idx, values, segments, width, w, d, decoded, false);
        for (int s = 0; s < segments; s++) {
            int o = row[s] * d;
            int so = s * d;
            for (int c = 0; c < d; c++) {
                out[o + c] += decoded[so + c];
            }
        }
    }

    /** grad[p] = g[row, :]·w[idx[p], :] for every pair whose latent lies in [lo, hi); other pairs untouched. */
    void valueGradients(float[] g, float[] w, int lo, int hi) {
        int grain = Math.max(1, GRAIN_FLOPS / Math.max(1, width * d));
        Parallel.forRange(segments, grain, (from, to) -> {
            for (int s = from; s < to; s++) {
                int go = rowOf(s) * d;
                for (int p = s * width; p < (s + 1) * width; p++) {
                    if (idx[p] >= lo && idx[p] < hi) {
                        grad[p] = Ops.dot(g, go, w, idx[p] * d, d);
                    }
                }
            }
        });
    }

    /** dw[idx[p], :] += values[p]·g[row, :] for every pair: the transposed sparse product. */
    void accumulateRows(float[] values, float[] g, float[] dw, int m) {
        float[] source = g;
        if (row != null) {
            for (int s = 0; s < segments; s++) {
                System.arraycopy(g, row[s] * d, gathered, s * d, d);
            }
            source = gathered;
        }
        Ops.sparseAccumulateTransposed(idx, values, segments, width, source, d, dw, m);
    }

    /** bias[idx[p]] += values[p] for every pair. */
    void addToBias(float[] values, float[] bias) {
        for (int p = 0, n = pairs(); p < n; p++) {
            bias[idx[p]] += values[p];
        }
    }

    /** grad[p] = 0 where the pair's activation was cut by the ReLU (value ≤ 0). */
    void maskInactive() {
        for (int p = 0, n = pairs(); p < n; p++) {
            if (!(val[p] > 0)) {
                grad[p] = 0;
            }
        }
    }

    /** counts[idx[p]] += 1 for every pair with a positive value; returns how many pairs that was. */
    long countFirings(int[] counts) {
        long total = 0;
        for (int p = 0, n = pairs(); p < n; p++) {
            if (val[p] > 0) {
                counts[idx[p]]++;
                total++;
            }
        }
        return total;
    }
}
