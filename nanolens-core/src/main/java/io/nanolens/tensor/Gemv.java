package io.nanolens.tensor;

/**
 * Matmul for a handful of rows (token-by-token decoding: M = 1), where packing all of B for a few rows of A
 * would cost more than the product. Each output row is a set of dot products (B stored [N,K]) or a sum of scaled
 * rows of B (B stored [K,N]), split over column ranges.
 */
final class Gemv {
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
            float s = VectorKernels.dotChunk(row, rowAt, b, bOff + j * k, k);
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
                VectorKernels.axpyRange(s, b, bOff + p * n, c, out, j0, j1);
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
}
