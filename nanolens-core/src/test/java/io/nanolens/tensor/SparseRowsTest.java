package io.nanolens.tensor;

import static io.nanolens.tensor.Numeric.assertClose;
import static io.nanolens.tensor.Numeric.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sparse-row products of SAE training, both twins, against a dense float64 product built from the
 * (index, value) pairs; repeated indices within a row; rows of the gradient that no pair names stay bit-identical.
 */
class SparseRowsTest {
    // A sum of k ≤ 32 products per output element; the worst error observed is 1.7e-6·(1 + |want|) at k = 32.
    private static final double TOL = 1e-5;

    interface Decode {
        void apply(int[] idx, float[] val, int rows, int k, float[] w, int d, float[] out, boolean accumulate);
    }

    interface Transposed {
        void apply(int[] idx, float[] val, int rows, int k, float[] g, int d, float[] dw, int m);
    }

    /** A batch of codes: k (index, value) pairs per row over m latents, with repeats. */
    record Codes(int[] idx, float[] val, int rows, int k, int m) {
        static Codes random(long seed, int rows, int k, int m) {
            SplittableRandom random = new SplittableRandom(seed);
            int[] idx = new int[rows * k];
            for (int p = 0; p < idx.length; p++) {
                // Every second row repeats its first index, on top of the repeats chance brings when k is near m.
                idx[p] = p % k == 1 && (p / k) % 2 == 0 ? idx[p - 1] : random.nextInt(m);
            }
            return new Codes(idx, gaussian(seed + 1, rows * k), rows, k, m);
        }

        /** The dense code matrix [rows, m] the pairs stand for, repeated indices summed. */
        double[] dense() {
            double[] z = new double[rows * m];
            for (int p = 0; p < idx.length; p++) {
                z[(p / k) * m + idx[p]] += val[p];
            }
            return z;
        }
    }

    /** Both twins × (rows, k, m, d): single values, widths around the vector width, and the parallel path. */
    static Stream<Arguments> shapes() {
        int[][] shapes = {{1, 1, 1, 1}, {7, 3, 20, 33}, {33, 8, 100, 7}, {5, 4, 10, 1000}, {64, 32, 500, 130},
            {300, 16, 40, 65}};
        return Arrays.stream(Twin.values()).flatMap(t -> Arrays.stream(shapes)
                .map(s -> Arguments.of(t, s[0], s[1], s[2], s[3])));
    }

    /** {@link #shapes()} × overwrite or accumulate. */
    static Stream<Arguments> decodeCases() {
        return shapes().flatMap(a -> Stream.of(false, true).map(acc -> {
            Object[] s = a.get();
            return Arguments.of(s[0], s[1], s[2], s[3], s[4], acc);
        }));
    }

    @ParameterizedTest
    @MethodSource("decodeCases")
    void sparseDecodeMatchesTheDenseProduct(Twin twin, int rows, int k, int m, int d, boolean accumulate) {
        Codes codes = Codes.random(rows * 79L + k + m + d, rows, k, m);
        float[] w = gaussian(m + d, m * d);
        float[] out = gaussian(rows + d, rows * d);
        double[] want = new double[rows * d];
        double[] z = codes.dense();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < d; c++) {
                double s = accumulate ? out[r * d + c] : 0;
                for (int l = 0; l < m; l++) {
                    s += z[r * m + l] * w[l * d + c];
                }
                want[r * d + c] = s;
            }
        }
        twin.pick((Decode) Kernels::sparseDecode, SparseRows::sparseDecode)
                .apply(codes.idx(), codes.val(), rows, k, w, d, out, accumulate);
        assertClose(want, out, TOL, "sparseDecode");
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void sparseAccumulateTransposedMatchesTheDenseProductAndTouchesOnlyNamedRows(Twin twin, int rows, int k, int m,
                                                                              int d) {
        Codes codes = Codes.random(rows * 83L + k + m + d, rows, k, m);
        float[] g = gaussian(rows + d + 1, rows * d);
        float[] dw = gaussian(m + d + 2, m * d);
        float[] before = dw.clone();
        twin.pick((Transposed) Kernels::sparseAccumulateTransposed, SparseRows::sparseAccumulateTransposed)
                .apply(codes.idx(), codes.val(), rows, k, g, d, dw, m);

        double[] z = codes.dense();
        boolean[] named = new boolean[m];
        for (int l : codes.idx()) {
            named[l] = true;
        }
        for (int l = 0; l < m; l++) {
            if (!named[l]) {
                assertArrayEquals(Arrays.copyOfRange(before, l * d, l * d + d), Arrays.copyOfRange(dw, l * d, l * d + d),
                        "row " + l + " was named by no pair but changed");
                continue;
            }
            double[] want = new double[d];
            for (int c = 0; c < d; c++) {
                want[c] = before[l * d + c];
                for (int r = 0; r < rows; r++) {
                    want[c] += z[r * m + l] * g[r * d + c];
                }
            }
            assertClose(want, dw, l * d, d, rowsTol(rows), "dw row " + l);
        }
    }

    @Test
    void parallelTransposedAccumulateEqualsTheSerialPairOrderBitForBit() {
        int rows = 256;
        int k = 16;
        int m = 300;
        int d = 72;
        Codes codes = Codes.random(17, rows, k, m);
        float[] g = gaussian(18, rows * d);
        float[] dw = gaussian(19, m * d);
        float[] serial = dw.clone();
        for (int p = 0; p < rows * k; p++) {
            VectorKernels.axpyRange(codes.val()[p], g, (p / k) * d, serial, codes.idx()[p] * d, 0, d);
        }
        SparseRows.sparseAccumulateTransposed(codes.idx(), codes.val(), rows, k, g, d, dw, m);
        assertEquals(Arrays.hashCode(serial), Arrays.hashCode(dw));
        assertArrayEquals(serial, dw);
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void sparseAccumulateTransposedRejectsAnIndexOutsideTheLatents(Twin twin) {
        Transposed kernel = twin.pick(Kernels::sparseAccumulateTransposed, SparseRows::sparseAccumulateTransposed);
        int[] idx = {0, 4};
        float[] dw = new float[4 * 3];
        assertThrows(IllegalArgumentException.class, () -> kernel.apply(idx, new float[2], 1, 2, new float[3], 3,
                dw, 4));
        assertArrayEquals(new float[4 * 3], dw);
    }

    /** A named row sums one term per pair naming it, up to ~rows·k/m of them; the bound grows with √rows. */
    private static double rowsTol(int rows) {
        return TOL * Math.sqrt(rows);
    }
}
