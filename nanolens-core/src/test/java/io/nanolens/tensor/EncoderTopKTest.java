package io.nanolens.tensor;

import static io.nanolens.tensor.Numeric.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused TopK encoder of both twins against the unfused computation: the twin's own matmul, the bias added
 * row by row, then each row fully sorted (stable, descending). Values, indices, order and gathered columns must
 * match exactly, since the fused kernel sums every pre-activation as the matmul does.
 */
class EncoderTopKTest {

    interface EncoderKernel {
        void apply(float[] a, float[] b, float[] bias, int rows, int kDim, int n, int k, int[] indices,
                   float[] values, int[] gather, int gatherCount, float[] gathered);
    }

    /**
     * Both twins × (rows, K, n, k): a handful of rows (the plain path), n below a vector and not a multiple of the
     * 16-column strip, one column block with many rows (row chunks in parallel), many column blocks, K past the
     * 1024 the matmul sums in one pass, k = 1 and k = n.
     */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 5, 7, 3}, {3, 9, 40, 40}, {4, 8, 16, 16}, {7, 33, 100, 5}, {200, 40, 130, 1},
            {600, 16, 64, 8}, {50, 64, 1000, 32}, {13, 1100, 70, 4}, {90, 24, 700, 90}};
        return Arrays.stream(Twin.values()).flatMap(t -> Arrays.stream(shapes)
                .map(s -> Arguments.of(t, s[0], s[1], s[2], s[3])));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void encodeTopKKeepsTheKLargestPreActivationsOfEachRow(Twin twin, int rows, int kDim, int n, int k) {
        long seed = rows * 31L + kDim * 7L + n + k;
        check(twin, gaussian(seed, rows * kDim), gaussian(seed + 1, n * kDim), gaussian(seed + 2, n), rows, kDim,
                n, k, everyThird(n));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void encodeTopKBreaksTiesByTheLowerColumn(Twin twin, int rows, int kDim, int n, int k) {
        SplittableRandom random = new SplittableRandom(rows * 37L + kDim + n + k);
        float[] a = new float[rows * kDim];
        float[] b = new float[n * kDim];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextInt(2);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextInt(3) == 0 ? 1 : 0;
        }
        check(twin, a, b, null, rows, kDim, n, k, new int[0]);
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void encodeTopKWithKZeroOnlyGathers(Twin twin) {
        check(twin, gaussian(1, 60 * 20), gaussian(2, 300 * 20), gaussian(3, 300), 60, 20, 300, 0, everyThird(300));
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void encodeTopKOfANaNRowNamesValidDistinctColumnsWithNaNValues(Twin twin) {
        int rows = 40;
        int kDim = 16;
        int n = 200;
        int k = 8;
        float[] a = gaussian(5, rows * kDim);
        a[7 * kDim + 3] = Float.NaN;
        int[] indices = new int[rows * k];
        float[] values = new float[rows * k];
        twin.pick((EncoderKernel) Kernels::encodeTopK, EncoderTopK::encodeTopK)
                .apply(a, gaussian(6, n * kDim), null, rows, kDim, n, k, indices, values, null, 0, null);
        int[] row = Arrays.copyOfRange(indices, 7 * k, 8 * k);
        assertEquals(k, Arrays.stream(row).filter(i -> i >= 0 && i < n).distinct().count(), Arrays.toString(row));
        for (int j = 0; j < k; j++) {
            assertTrue(Float.isNaN(values[7 * k + j]), "value " + j + " of the NaN row");
        }
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void encodeTopKRejectsKLargerThanTheRowAndUnsortedGathers(Twin twin) {
        EncoderKernel kernel = twin.pick(Kernels::encodeTopK, EncoderTopK::encodeTopK);
        assertThrows(IllegalArgumentException.class, () -> kernel.apply(new float[8], new float[20], null, 2, 4, 5,
                6, new int[12], new float[12], null, 0, null));
        assertThrows(IllegalArgumentException.class, () -> kernel.apply(new float[8], new float[20], null, 2, 4, 5,
                1, new int[2], new float[2], new int[] {3, 1}, 2, new float[4]));
    }

    private static void check(Twin twin, float[] a, float[] b, float[] bias, int rows, int kDim, int n, int k,
                              int[] gather) {
        int[] indices = new int[rows * k];
        float[] values = new float[rows * k];
        float[] gathered = new float[rows * gather.length];
        twin.pick((EncoderKernel) Kernels::encodeTopK, EncoderTopK::encodeTopK)
                .apply(a, b, bias, rows, kDim, n, k, indices, values, gather, gather.length, gathered);

        float[] pre = new float[rows * n];
        if (twin == Twin.SCALAR) {
            Kernels.matmul(a, 0, b, 0, pre, 0, rows, kDim, n, false, false, true);
        } else {
            Matmul.abT(a, b, pre, rows, kDim, n, false);
        }
        for (int i = 0; bias != null && i < pre.length; i++) {
            pre[i] += bias[i % n];
        }
        int[] wantIndices = new int[rows * k];
        float[] wantValues = new float[rows * k];
        float[] wantGathered = new float[rows * gather.length];
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            // A stable sort by value, descending, keeps equal values in column order.
            int[] order = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> pre[o + i]).reversed())
                    .mapToInt(Integer::intValue).limit(k).toArray();
            for (int j = 0; j < k; j++) {
                wantIndices[r * k + j] = order[j];
                wantValues[r * k + j] = pre[o + order[j]];
            }
            for (int j = 0; j < gather.length; j++) {
                wantGathered[r * gather.length + j] = pre[o + gather[j]];
            }
        }
        assertArrayEquals(wantValues, values, "values");
        assertArrayEquals(wantIndices, indices, "indices");
        assertArrayEquals(wantGathered, gathered, "gathered columns");
    }

    private static int[] everyThird(int n) {
        return IntStream.range(0, n).filter(i -> i % 3 == 1).toArray();
    }
}
