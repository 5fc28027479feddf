package io.nanolens.tensor;

/**
 * Dense matrix products in the three layouts training needs, on row-major float arrays:
 * {@code ab}: C[M,N] (+)= A[M,K]·B[K,N]; {@code abT}: C[M,N] (+)= A[M,K]·B[N,K]ᵀ; {@code aTb}: C[M,N] (+)=
 * A[K,M]ᵀ·B[K,N]. With {@code accumulate} false C is overwritten. Offsets locate each matrix inside a larger array.
 */
public final class Matmul {
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
        Kernels.matmul(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, false, false);
    }

    public static void abT(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                           int m, int k, int n, boolean accumulate) {
        Kernels.matmul(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, false, true);
    }

    public static void aTb(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                           int m, int k, int n, boolean accumulate) {
        Kernels.matmul(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, true, false);
    }
}
