package io.nanolens.tensor;

/**
 * Scalar reference kernels: the twin of every fast kernel, with the same signature, used when
 * {@code -Dnanolens.vector=false} and as the control the fast kernels are tested against.
 * Shape letters: M, K, N for matmul (C[M,N] = A[M,K]·B[K,N]).
 */
public final class Kernels {
    private Kernels() {
    }

    /** C[M,N] (+)= op(A)·op(B), op = transpose when the flag is set (A stored [K,M], B stored [N,K]). */
    public static void matmul(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                              int m, int k, int n, boolean accumulate, boolean transA, boolean transB) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    float bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    sum += av * bv;
                }
                int ci = cOff + i * n + j;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }
}
