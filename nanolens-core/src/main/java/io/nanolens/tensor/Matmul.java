package io.nanolens.tensor;

/**
 * Dense matrix products in the three layouts training needs, on row-major float arrays:
 * {@code ab}: C[M,N] (+)= A[M,K]·B[K,N]; {@code abT}: C[M,N] (+)= A[M,K]·B[N,K]ᵀ; {@code aTb}: C[M,N] (+)=
 * A[K,M]ᵀ·B[K,N]. With {@code accumulate} false C is overwritten. Offsets locate each matrix inside a larger array.
 */
public final class Matmul {
    // Below this many rows of A, packing B costs more than it saves (token-by-token decoding has one row).
    static final int SMALL_M = 4;

    private Matmul() {
    }

    public static void ab(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
        ab(a, 0, b, 0, c, 0, m, k, n, accumulate);
    }

    public static void abT(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
        abT(a, 0, b, 0, c, 0, m, k, n, accumulate);
    }

    public static void aTb(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
        aTb(a, 0, b, 0, c, 0, m, k, n, accumulate);
    }

    public static void ab(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                          int m, int k, int n, boolean accumulate) {
        dispatch(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, false, false);
    }

    public static void abT(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                           int m, int k, int n, boolean accumulate) {
        dispatch(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, false, true);
    }

    public static void aTb(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                           int m, int k, int n, boolean accumulate) {
        dispatch(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, true, false);
    }

    private static void dispatch(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                                 int m, int k, int n, boolean accumulate, boolean transA, boolean transB) {
        if (m < 0 || k < 0 || n < 0) {
            throw new IllegalArgumentException("matmul dimensions must be ≥ 0, got m=" + m + " k=" + k + " n=" + n);
        }
        checkBounds(a, aOff, (long) m * k, "A");
        checkBounds(b, bOff, (long) k * n, "B");
        checkBounds(c, cOff, (long) m * n, "C");
        if (!Simd.enabled()) {
            Kernels.matmul(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, transA, transB);
        } else if (m < SMALL_M) {
            Gemv.multiply(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, transA, transB);
        } else {
            Gemm.multiply(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, transA, transB);
        }
    }

    private static void checkBounds(float[] x, int off, long size, String name) {
        if (off < 0 || off + size > x.length) {
            throw new IllegalArgumentException("matmul operand " + name + " needs " + size + " values from offset "
                    + off + " but its array holds " + x.length);
        }
    }
}
