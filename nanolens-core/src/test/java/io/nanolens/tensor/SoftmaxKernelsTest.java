package io.nanolens.tensor;

import static io.nanolens.tensor.Numeric.assertClose;
import static io.nanolens.tensor.Numeric.assertCloseAt;
import static io.nanolens.tensor.Numeric.finiteDifferenceByRow;
import static io.nanolens.tensor.Numeric.gaussian;
import static io.nanolens.tensor.Numeric.toDouble;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Row-wise softmax and its gradient, both twins, against float64 and float64 finite differences. */
class SoftmaxKernelsTest {
    // Observed errors stay below 1e-6·(1 + |want|) on these inputs; 4e-6 leaves room for other CPUs' exp.
    private static final double TOL = 4e-6;
    private static final int FD_SAMPLES = 200;

    interface Softmax {
        void apply(float[] x, float[] out, int rows, int n);
    }

    interface SoftmaxBackward {
        void apply(float[] dy, float[] y, float[] dx, int rows, int n);
    }

    /** Both twins × shapes of 1 to 1000 rows and widths, two of them past the parallel threshold. */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1}, {1, 7}, {7, 33}, {33, 7}, {1, 1000}, {33, 1000}, {1000, 33}};
        return Arrays.stream(Twin.values()).flatMap(t -> Arrays.stream(shapes).map(s -> Arguments.of(t, s[0], s[1])));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void softmaxMatchesFloat64(Twin twin, int rows, int n) {
        float[] x = scaled(gaussian(rows * 59L + n, rows * n), 3);
        float[] out = new float[rows * n];
        twin.pick((Softmax) Kernels::softmax, VectorKernels::softmax).apply(x, out, rows, n);
        assertClose(Reference.softmax(toDouble(x), rows, n), out, TOL, "softmax");
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void softmaxOfHugeLogitsStaysFiniteAndMayOverwriteItsInput(Twin twin) {
        int rows = 3;
        int n = 45;
        float[] x = gaussian(8, rows * n);
        for (int i = 0; i < x.length; i++) {
            x[i] += i < n ? 1000f : i < 2 * n ? -1000f : 80f;
        }
        double[] want = Reference.softmax(toDouble(x), rows, n);
        twin.pick((Softmax) Kernels::softmax, VectorKernels::softmax).apply(x, x, rows, n);
        assertClose(want, x, TOL, "softmax in place of huge logits");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void softmaxBackwardMatchesJacobianAndFiniteDifferences(Twin twin, int rows, int n) {
        float[] x = scaled(gaussian(rows * 61L + n, rows * n), 2);
        float[] dy = gaussian(rows * 67L + n, rows * n);
        float[] y = new float[rows * n];
        Kernels.softmax(x, y, rows, n);
        float[] dx = new float[rows * n];
        twin.pick((SoftmaxBackward) Kernels::softmaxBackward, VectorKernels::softmaxBackward)
                .apply(dy, y, dx, rows, n);

        double[] xd = toDouble(x);
        double[] dyd = toDouble(dy);
        assertClose(Reference.softmaxBackward(dyd, xd, rows, n), dx, TOL, "softmax dx");
        int[] at = Numeric.sample(rows * n, FD_SAMPLES);
        double[] fd = finiteDifferenceByRow(xd, n, at, (v, r) -> {
            double[] row = Reference.softmax(Arrays.copyOfRange(v, r * n, r * n + n), 1, n);
            return Reference.dot(Arrays.copyOfRange(dyd, r * n, r * n + n), row);
        });
        assertCloseAt(fd, dx, at, TOL, "softmax dx vs finite differences");
    }

    private static float[] scaled(float[] x, float s) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= s;
        }
        return x;
    }
}
