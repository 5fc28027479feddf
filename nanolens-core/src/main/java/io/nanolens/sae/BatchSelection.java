package io.nanolens.sae;

import io.nanolens.tensor.Ops;

import java.util.Arrays;

/**
 * BatchTopK's activation (Bussmann et al. 2024, "BatchTopK Sparse Autoencoders"; SAELens batchtopk_sae.py) for
 * BatchTopK and Matryoshka SAEs: over the whole batch, the k·B largest pre-activations survive (through a ReLU),
 * so a row keeps k latents on average but any number in particular. The kept pairs become segmented
 * {@link SparseCodes} with segments of k, so the sparse kernels run on them unchanged. The smallest positive kept
 * value of each step feeds a moving average θ, the threshold that replaces the batch-dependent selection at
 * inference (f = pre where pre > θ, else 0: a JumpReLU with one threshold for every latent, as SAELens saves it).
 */
final class BatchSelection {
    private final int[] flatIdx;        // [B·k] kept positions r·m + i in the flat pre-activations
    private final float[] flatVal;      // [B·k] their values
    private final int[] rowCount;       // [B] kept latents per row
    private final int[] rowFill;        // [B] pairs placed so far per row
    private final int[] firstSegment;   // [B] first segment of each row
    float minPositive;                  // smallest positive kept value of the last selection, NaN if none

    BatchSelection(int maxRows, int k) {
        flatIdx = new int[Math.multiplyExact(maxRows, k)];
        flatVal = new float[maxRows * k];
        rowCount = new int[maxRows];
        rowFill = new int[maxRows];
        firstSegment = new int[maxRows];
    }

    /** Segmented codes able to hold a selection: at most B + k·B/k = 2·B segments of k pairs. */
    static SparseCodes codes(int maxRows, int k, int d) {
        return SparseCodes.segmented(Math.multiplyExact(2, maxRows), k, d);
    }

    /** The rows·k largest values of pre [rows, m] into codes, each row's pairs in order of decreasing value. */
    void select(float[] pre, int rows, int m, int k, SparseCodes codes) {
        int n = rows * k;
        Ops.topK(pre, 1, rows * m, n, flatIdx, flatVal);
        Arrays.fill(rowCount, 0, rows, 0);
        for (int p = 0; p < n; p++) {
            rowCount[flatIdx[p] / m]++;
        }
        int segments = 0;
        for (int r = 0; r < rows; r++) {
            firstSegment[r] = segments;
            rowFill[r] = 0;
            segments += (rowCount[r] + k - 1) / k;
        }
        codes.width = k;
        codes.segments = segments;
        float min = Float.POSITIVE_INFINITY;
        for (int p = 0; p < n; p++) {
            int r = flatIdx[p] / m;
            int slot = rowFill[r]++;
            int segment = firstSegment[r] + slot / k;
            int q = segment * k + slot % k;
            float v = Math.max(flatVal[p], 0f);
            codes.row[segment] = r;
            codes.idx[q] = flatIdx[p] - r * m;
            codes.val[q] = v;
            if (v > 0 && v < min) {
                min = v;
            }
        }
        pad(rows, k, codes);
        minPositive = min == Float.POSITIVE_INFINITY ? Float.NaN : min;
    }

    /** Fills each row's last, partial segment with pairs of value 0 on the segment's first latent. */
    private void pad(int rows, int k, SparseCodes codes) {
        for (int r = 0; r < rows; r++) {
            int used = rowCount[r] % k;
            if (used != 0) {
                int base = (firstSegment[r] + rowCount[r] / k) * k;
                for (int q = base + used; q < base + k; q++) {
                    codes.idx[q] = codes.idx[base];
                    codes.val[q] = 0f;
                }
            }
        }
    }

    /**
     * The moving average after a step: θ + rate·(min − θ), or θ when the step kept no positive value. The first
     * step with a positive value sets θ = min outright (as dictionary_learning's BatchTopK trainer does): averaging
     * up from 0 at rate 0.01 leaves θ at half its value after 70 steps, so a short run's SAE fires far too often.
     */
    double updateThreshold(double threshold, float rate, boolean first) {
        if (Float.isNaN(minPositive)) {
            return threshold;
        }
        return first ? minPositive : (1 - rate) * threshold + rate * minPositive;
    }

    /** f = pre where pre > θ, else 0, for n values (in place when f is pre). */
    static void threshold(float[] pre, float[] f, int n, float theta) {
        float cut = Math.max(theta, 0f);
        for (int i = 0; i < n; i++) {
            f[i] = pre[i] > cut ? pre[i] : 0f;
        }
    }
}
