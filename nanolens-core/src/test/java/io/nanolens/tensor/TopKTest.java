package io.nanolens.tensor;

import static io.nanolens.tensor.Numeric.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Row-wise top-k of both twins against a full stable sort of each row: exact values, indices and order. */
class TopKTest {

    interface TopKKernel {
        void apply(float[] x, int rows, int n, int k, int[] indices, float[] values);
    }

    /** Both twins × (rows, n, k) with k = 1, k = n, widths below and above a vector, and the parallel path. */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1, 1}, {1, 7, 1}, {1, 7, 7}, {7, 33, 5}, {33, 1000, 32}, {1000, 33, 3},
            {3, 1000, 1000}, {2, 40_003, 64}, {200, 300, 300}};
        return Arrays.stream(Twin.values()).flatMap(t -> Arrays.stream(shapes)
                .map(s -> Arguments.of(t, s[0], s[1], s[2])));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void topKKeepsExactlyTheKLargestPerRowSortedDescending(Twin twin, int rows, int n, int k) {
        checkAgainstSort(twin, gaussian(rows * 71L + n + k, rows * n), rows, n, k);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void topKBreaksTiesByTheLowerIndex(Twin twin, int rows, int n, int k) {
        SplittableRandom random = new SplittableRandom(rows * 73L + n + k);
        float[] x = new float[rows * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextInt(4) * 0.5f;
        }
        checkAgainstSort(twin, x, rows, n, k);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void topKOfRowsThatRiseSteadilyKeepsTheLastK(Twin twin, int rows, int n, int k) {
        float[] x = new float[rows * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % n) * 0.25f - 3f;
        }
        checkAgainstSort(twin, x, rows, n, k);
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void topKWithKZeroWritesNothing(Twin twin) {
        int[] indices = {7};
        float[] values = {7f};
        twin.pick((TopKKernel) Kernels::topK, TopK::topK).apply(gaussian(9, 10), 2, 5, 0, indices, values);
        assertArrayEquals(new int[] {7}, indices);
        assertArrayEquals(new float[] {7f}, values);
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void topKRejectsKLargerThanTheRow(Twin twin) {
        TopKKernel kernel = twin.pick(Kernels::topK, TopK::topK);
        assertThrows(IllegalArgumentException.class,
                () -> kernel.apply(new float[10], 2, 5, 6, new int[12], new float[12]));
    }

    private static void checkAgainstSort(Twin twin, float[] x, int rows, int n, int k) {
        int[] indices = new int[rows * k];
        float[] values = new float[rows * k];
        twin.pick((TopKKernel) Kernels::topK, TopK::topK).apply(x, rows, n, k, indices, values);
        int[] wantIndices = new int[rows * k];
        float[] wantValues = new float[rows * k];
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            // A stable sort by value, descending, keeps equal values in index order.
            int[] order = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> x[o + i]).reversed())
                    .mapToInt(Integer::intValue).limit(k).toArray();
            for (int j = 0; j < k; j++) {
                wantIndices[r * k + j] = order[j];
                wantValues[r * k + j] = x[o + order[j]];
            }
        }
        assertArrayEquals(wantValues, values, "values");
        assertArrayEquals(wantIndices, indices, "indices");
    }
}
