package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-wise top-k, the Vector API twin of {@link Kernels#topK} (callers go through {@link Ops}): TopK SAEs keep the
 * k largest of m pre-activations per row. Each row keeps a min-heap of its best k so far, stored in the output
 * slices themselves, whose root is the value to beat; a vector compare against that threshold skips whole vectors
 * at once, so after the first few hundred values a row costs about one compare per value. The heap is sorted in
 * place at the end. Rows are split over threads. Ties go to the lower index, as in the scalar twin.
 */
public final class TopK {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private TopK() {
    }

    /**
     * The k largest values of each row of x [rows, n] and their column indices, written to values and indices
     * [rows, k] sorted descending; equal values keep the lower index first. Values must not be NaN.
     *
     * @throws IllegalArgumentException if k is not in [0, n]
     */
    public static void topK(float[] x, int rows, int n, int k, int[] indices, float[] values) {
        checkK(n, k);
        if (k == 0) {
            return;
        }
        VectorKernels.split(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                topKRow(x, r * n, n, k, indices, values, r * k);
            }
        });
    }

    static void checkK(int n, int k) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("top-k needs 0 ≤ k ≤ n, got k = " + k + " for rows of n = " + n);
        }
    }

    /** Top-k of x[o, o+n) into the heap idx/val[base, base+k), then sorted best first. */
    private static void topKRow(float[] x, int o, int n, int k, int[] idx, float[] val, int base) {
        for (int j = 0; j < k; j++) {
            val[base + j] = x[o + j];
            idx[base + j] = j;
        }
        for (int j = k / 2 - 1; j >= 0; j--) {
            siftDown(idx, val, base, j, k);
        }
        int i = k;
        for (int end = k + F.loopBound(n - k); i < end; i += L) {
            long above = FloatVector.fromArray(F, x, o + i).compare(VectorOperators.GT, val[base]).toLong();
            if (above != 0) {
                offerLanes(x, o, i, above, k, idx, val, base);
            }
        }
        for (; i < n; i++) {
            offer(x[o + i], i, k, idx, val, base);
        }
        for (int size = k - 1; size > 0; size--) {
            swap(idx, val, base, base + size);
            siftDown(idx, val, base, 0, size);
        }
    }

    /** Offers the lanes of the vector at column i whose bits are set in {@code lanes}, lowest column first. */
    private static void offerLanes(float[] x, int o, int i, long lanes, int k, int[] idx, float[] val, int base) {
        for (long bits = lanes; bits != 0; bits &= bits - 1) {
            int col = i + Long.numberOfTrailingZeros(bits);
            offer(x[o + col], col, k, idx, val, base);
        }
    }

    /** Replaces the heap's root when v beats it; columns arrive in increasing order, so a tie never wins. */
    private static void offer(float v, int col, int k, int[] idx, float[] val, int base) {
        if (v > val[base]) {
            val[base] = v;
            idx[base] = col;
            siftDown(idx, val, base, 0, k);
        }
    }

    /** Restores the heap below position j of a heap of {@code size}; the root is the worst entry. */
    static void siftDown(int[] idx, float[] val, int base, int j, int size) {
        while (true) {
            int child = 2 * j + 1;
            if (child >= size) {
                return;
            }
            if (child + 1 < size && worse(idx, val, base + child + 1, base + child)) {
                child++;
            }
            if (!worse(idx, val, base + child, base + j)) {
                return;
            }
            swap(idx, val, base + j, base + child);
            j = child;
        }
    }

    /** Entry a ranks below entry b: a smaller value, or an equal value at a higher column. */
    static boolean worse(int[] idx, float[] val, int a, int b) {
        return val[a] < val[b] || (val[a] == val[b] && idx[a] > idx[b]);
    }

    static void swap(int[] idx, float[] val, int a, int b) {
        float v = val[a];
        val[a] = val[b];
        val[b] = v;
        int t = idx[a];
        idx[a] = idx[b];
        idx[b] = t;
    }
}
