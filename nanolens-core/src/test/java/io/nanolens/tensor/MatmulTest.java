package io.nanolens.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MatmulTest {

    enum Layout { AB, ABT, ATB }

    static Stream<Arguments> shapes() {
        int[][] mkn = {
            {1, 1, 1}, {1, 7, 33}, {2, 9, 40}, {3, 100, 70}, {7, 1, 5}, {7, 33, 1}, {33, 7, 17}, {6, 16, 16}, {13, 300, 50},
            {100, 257, 31}, {97, 513, 260}, {1000, 33, 7}, {7, 1000, 33}, {200, 40, 600}, {1, 1000, 1000},
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (int[] s : mkn) {
            for (Layout layout : Layout.values()) {
                b.add(Arguments.of(layout, s[0], s[1], s[2]));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("shapes")
    void fastMatmulMatchesFloat64Reference(Layout layout, int m, int k, int n) {
        SplittableRandom random = new SplittableRandom(31L * m + 7L * k + n + layout.ordinal());
        float[] a = random(random, m * k);
        float[] b = random(random, k * n);
        float[] c0 = random(random, m * n);
        double[] expected = reference(layout, a, b, m, k, n);

        float[] c = c0.clone();
        run(layout, a, b, c, m, k, n, false);
        assertClose(expected, null, c, k, "overwrite");

        float[] acc = c0.clone();
        run(layout, a, b, acc, m, k, n, true);
        assertClose(expected, c0, acc, k, "accumulate");

        float[] scalar = new float[m * n];
        Kernels.matmul(a, 0, b, 0, scalar, 0, m, k, n, false, layout == Layout.ATB, layout == Layout.ABT);
        assertClose(expected, null, scalar, k, "scalar twin");
    }

    @Test
    void offsetsSelectSubmatrices() {
        SplittableRandom random = new SplittableRandom(5);
        int m = 19, k = 23, n = 29;
        float[] a = random(random, 3 + m * k);
        float[] b = random(random, 11 + k * n);
        float[] c = new float[4 + m * n];
        Matmul.ab(a, 3, b, 11, c, 4, m, k, n, false);
        float[] a0 = java.util.Arrays.copyOfRange(a, 3, a.length);
        float[] b0 = java.util.Arrays.copyOfRange(b, 11, b.length);
        double[] expected = reference(Layout.AB, a0, b0, m, k, n);
        assertEquals(0f, c[0]);
        assertClose(expected, null, java.util.Arrays.copyOfRange(c, 4, c.length), k, "offsets");
    }

    @Test
    void operandTooSmallIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> Matmul.ab(new float[5], new float[6], new float[4], 2, 3, 2, false));
    }

    private static void run(Layout layout, float[] a, float[] b, float[] c, int m, int k, int n, boolean acc) {
        switch (layout) {
            case AB -> Matmul.ab(a, b, c, m, k, n, acc);
            case ABT -> Matmul.abT(a, b, c, m, k, n, acc);
            case ATB -> Matmul.aTb(a, b, c, m, k, n, acc);
        }
    }

    /** C = op(A)·op(B) in float64, where A is [M,K] (ATB: stored [K,M]) and B is [K,N] (ABT: stored [N,K]). */
    static double[] reference(Layout layout, float[] a, float[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = layout == Layout.ATB ? a[p * m + i] : a[i * k + p];
                    double bv = layout == Layout.ABT ? b[j * k + p] : b[p * n + j];
                    s += av * bv;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** Error bound of a float32 dot product of length k with inputs in [-1, 1]: a few ulps per term. */
    private static void assertClose(double[] expected, float[] base, float[] actual, int k, String what) {
        double tolerance = 4e-7 * Math.sqrt(k) * 8 + 1e-6;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i] + (base == null ? 0 : base[i]);
            double err = Math.abs(actual[i] - e);
            assertTrue(err <= tolerance * (1 + Math.abs(e)) + 1e-7 * k,
                    what + ": element " + i + " expected " + e + " got " + actual[i]);
        }
    }

    static float[] random(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }
}
