package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sparse-row products of SAE training, Vector API twins of {@link Kernels#sparseDecode} and
 * {@link Kernels#sparseAccumulateTransposed} (callers go through {@link Ops}). A batch of SAE codes is stored as
 * k (index, value) pairs per row: idx, val [rows, k]. Decoding multiplies those rows by the decoder w [m, d] in
 * 2·rows·k·d flops instead of the dense 2·rows·m·d; the transposed product sends the gradient g [rows, d] back to
 * only the k decoder rows each sample named. See PERFORMANCE.md, "Where an SAE training step spends its time".
 */
public final class SparseRows {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private SparseRows() {
    }

    /**
     * SAE decode from sparse rows: out[r, :] (+)= Σ_j val[r·k+j]·w[idx[r·k+j], :], with w [m, d] and out
     * [rows, d] overwritten unless {@code accumulate}. Repeated indices in a row add up.
     */
    public static void sparseDecode(int[] idx, float[] val, int rows, int k, float[] w, int d, float[] out,
                                    boolean accumulate) {
        VectorKernels.split(rows, (long) k * d, (from, to) -> {
            for (int r = from; r < to; r++) {
                decodeRow(idx, val, r * k, k, w, d, out, r * d, accumulate);
            }
        });
    }

    /**
     * The transposed sparse product (gradient of {@link #sparseDecode} to w): dw[idx[r·k+j], :] +=
     * val[r·k+j]·g[r, :] for every pair, with g [rows, d] and dw [m, d]; rows of dw not named stay untouched.
     * Each thread owns a range of latents and scans all pairs for the ones it owns, so no two threads write the
     * same row and every row receives its updates in pair order: the result is the same for any thread count.
     *
     * @throws IllegalArgumentException if an index is outside [0, m)
     */
    public static void sparseAccumulateTransposed(int[] idx, float[] val, int rows, int k, float[] g, int d,
                                                  float[] dw, int m) {
        checkIndices(idx, rows * k, m);
        if ((long) rows * k * d < VectorKernels.PARALLEL_MIN) {
            accumulateOwned(idx, val, rows, k, g, d, dw, 0, m);
        } else {
            // Scanning all rows·k pairs once per chunk is cheap next to the d multiply-adds each pair costs.
            Parallel.forRange(m, 1, (lo, hi) -> accumulateOwned(idx, val, rows, k, g, d, dw, lo, hi));
        }
    }

    static void checkIndices(int[] idx, int pairs, int m) {
        for (int p = 0; p < pairs; p++) {
            if (idx[p] < 0 || idx[p] >= m) {
                throw new IllegalArgumentException("sparse index " + idx[p] + " at pair " + p + " is outside [0, "
                        + m + ")");
            }
        }
    }

    /** The pairs whose latent lies in [lo, hi), in pair order. */
    private static void accumulateOwned(int[] idx, float[] val, int rows, int k, float[] g, int d, float[] dw,
                                        int lo, int hi) {
        for (int r = 0; r < rows; r++) {
            for (int j = r * k; j < r * k + k; j++) {
                int latent = idx[j];
                if (latent >= lo && latent < hi) {
                    VectorKernels.axpyRange(val[j], g, r * d, dw, latent * d, 0, d);
                }
            }
        }
    }

    /**
     * One output row. The row is cut into blocks of four vectors held in registers while all k pairs are added,
     * so out is loaded and stored once per block and each pair costs one load per FMA.
     */
    private static void decodeRow(int[] idx, float[] val, int pair, int k, float[] w, int d, float[] out, int o,
                                  boolean accumulate) {
        int c = 0;
        for (int end = d - 4 * L; c <= end; c += 4 * L) {
            decodeBlock4(idx, val, pair, k, w, d, out, o + c, c, accumulate);
        }
        for (int end = d - L; c <= end; c += L) {
            FloatVector acc = accumulate ? FloatVector.fromArray(F, out, o + c) : FloatVector.zero(F);
            for (int j = pair; j < pair + k; j++) {
                acc = FloatVector.fromArray(F, w, idx[j] * d + c).fma(FloatVector.broadcast(F, val[j]), acc);
            }
            acc.intoArray(out, o + c);
        }
        for (; c < d; c++) {
            float acc = accumulate ? out[o + c] : 0;
            for (int j = pair; j < pair + k; j++) {
                acc += val[j] * w[idx[j] * d + c];
            }
            out[o + c] = acc;
        }
    }

    private static void decodeBlock4(int[] idx, float[] val, int pair, int k, float[] w, int d, float[] out, int oc,
                                     int c, boolean accumulate) {
        FloatVector a0;
        FloatVector a1;
        FloatVector a2;
        FloatVector a3;
        if (accumulate) {
            a0 = FloatVector.fromArray(F, out, oc);
            a1 = FloatVector.fromArray(F, out, oc + L);
            a2 = FloatVector.fromArray(F, out, oc + 2 * L);
            a3 = FloatVector.fromArray(F, out, oc + 3 * L);
        } else {
            a0 = FloatVector.zero(F);
            a1 = a0;
            a2 = a0;
            a3 = a0;
        }
        for (int j = pair; j < pair + k; j++) {
            int row = idx[j] * d + c;
            FloatVector v = FloatVector.broadcast(F, val[j]);
            a0 = FloatVector.fromArray(F, w, row).fma(v, a0);
            a1 = FloatVector.fromArray(F, w, row + L).fma(v, a1);
            a2 = FloatVector.fromArray(F, w, row + 2 * L).fma(v, a2);
            a3 = FloatVector.fromArray(F, w, row + 3 * L).fma(v, a3);
        }
        a0.intoArray(out, oc);
        a1.intoArray(out, oc + L);
        a2.intoArray(out, oc + 2 * L);
        a3.intoArray(out, oc + 3 * L);
    }
}
