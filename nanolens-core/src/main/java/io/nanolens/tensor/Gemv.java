package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matmul for a handful of rows (token-by-token decoding: M = 1), where packing all of B for a few rows of A
 * would cost more than the product. Each output row is a set of dot products (B stored [N,K]) or a sum of scaled
 * rows of B (B stored [K,N]), split over column ranges.
 */
final class Gemv {
    private static final VectorSpecies<Float> S = Simd.F;

    private Gemv() {
    }

    static void multiply(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                         int m, int k, int n, boolean accumulate, boolean transA, boolean transB) {
        boolean parallel = 2L * m * k * n >= 1_000_000;
        Parallel.RangeTask columns = (j0, j1) -> {
            for (int i = 0; i < m; i++) {
                if (transB) {
                    dots(a, aOff, b, bOff, c, cOff, m, k, n, i, j0, j1, accumulate, transA);
                } else {
                    axpys(a, aOff, b, bOff, c, cOff, m, k, n, i, j0, j1, accumulate, transA);
                }
            }
        };
        if (parallel) {
            Parallel.forRange(n, 64, columns);
        } else {
            columns.run(0, n);
        }
    }

    /** C[i, j0:j1] (+)= A[i,:]·B[j,:] for B stored [N,K]. */
    private static void dots(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int k, int n,
                             int i, int j0, int j1, boolean accumulate, boolean transA) {
        float[] row = transA ? column(a, aOff, m, k, i) : a;
        int rowAt = transA ? 0 : aOff + i * k;
        for (int j = j0; j < j1; j++) {
            float s = dot(row, rowAt, b, bOff + j * k, k);
            int at = cOff + i * n + j;
            c[at] = accumulate ? c[at] + s : s;
        }
    }

    /** C[i, j0:j1] (+)= Σ_p A[i,p]·B[p, j0:j1] for B stored [K,N]. */
    private static void axpys(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int k, int n,
                              int i, int j0, int j1, boolean accumulate, boolean transA) {
        int out = cOff + i * n;
        if (!accumulate) {
            java.util.Arrays.fill(c, out + j0, out + j1, 0f);
        }
        for (int p = 0; p < k; p++) {
            float s = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
            if (s != 0f) {
                axpy(s, b, bOff + p * n + j0, c, out + j0, j1 - j0);
            }
        }
    }

    private static float[] column(float[] a, int aOff, int m, int k, int i) {
        float[] col = new float[k];
        for (int p = 0; p < k; p++) {
            col[p] = a[aOff + p * m + i];
        }
        return col;
    }

    static float dot(float[] x, int xAt, float[] y, int yAt, int n) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int w = S.length();
        int p = 0;
        for (; p + 2 * w <= n; p += 2 * w) {
            acc0 = FloatVector.fromArray(S, x, xAt + p).fma(FloatVector.fromArray(S, y, yAt + p), acc0);
            acc1 = FloatVector.fromArray(S, x, xAt + p + w).fma(FloatVector.fromArray(S, y, yAt + p + w), acc1);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; p < n; p++) {
            s += x[xAt + p] * y[yAt + p];
        }
        return s;
    }

    static void axpy(float alpha, float[] x, int xAt, float[] y, int yAt, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int w = S.length();
        int p = 0;
        for (; p + w <= n; p += w) {
            va.fma(FloatVector.fromArray(S, x, xAt + p), FloatVector.fromArray(S, y, yAt + p)).intoArray(y, yAt + p);
        }
        for (; p < n; p++) {
            y[yAt + p] += alpha * x[xAt + p];
        }
    }
}
