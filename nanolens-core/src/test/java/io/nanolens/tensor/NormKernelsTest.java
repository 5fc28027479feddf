package io.nanolens.tensor;

import static io.nanolens.tensor.Numeric.assertClose;
import static io.nanolens.tensor.Numeric.assertCloseAt;
import static io.nanolens.tensor.Numeric.finiteDifference;
import static io.nanolens.tensor.Numeric.finiteDifferenceByRow;
import static io.nanolens.tensor.Numeric.gaussian;
import static io.nanolens.tensor.Numeric.toDouble;
import static io.nanolens.tensor.Numeric.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RMSNorm and LayerNorm, forward and backward, of both twins: against float64 closed forms, and the gradients
 * also against float64 finite differences of the float64 forward pass.
 */
class NormKernelsTest {
    // Reductions over d ≤ 1000 values in float: the worst error observed is 1.7e-6·(1 + |want|); 1e-5 leaves room.
    private static final double TOL = 1e-5;
    // Finite differences cost a forward pass per element: check this many elements of each gradient.
    private static final int FD_SAMPLES = 120;
    private static final float EPS = 1e-5f;

    interface RmsNorm {
        void apply(float[] x, float[] w, float[] out, float[] rstd, int rows, int d, float eps);
    }

    interface RmsNormBackward {
        void apply(float[] dout, float[] x, float[] w, float[] rstd, float[] dx, float[] dw, int rows, int d);
    }

    interface LayerNorm {
        void apply(float[] x, float[] w, float[] b, float[] out, float[] mean, float[] rstd, int rows, int d,
                   float eps);
    }

    interface LayerNormBackward {
        void apply(float[] dout, float[] x, float[] w, float[] mean, float[] rstd, float[] dx, float[] dw,
                   float[] db, int rows, int d);
    }

    /** Both twins × shapes of 1 to 1000 rows and widths (several past the parallel thresholds) × with/without weight. */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1}, {1, 7}, {7, 33}, {33, 7}, {1000, 33}, {33, 1000}, {520, 130}};
        return Arrays.stream(Twin.values()).flatMap(t -> Arrays.stream(shapes).flatMap(s -> Stream.of(
                Arguments.of(t, s[0], s[1], true), Arguments.of(t, s[0], s[1], false))));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rmsNormMatchesFloat64(Twin twin, int rows, int d, boolean weighted) {
        float[] x = gaussian(rows * 31L + d, rows * d);
        float[] w = weighted ? uniform(d, d, 0.5f, 1.5f) : null;
        float[] out = new float[rows * d];
        float[] rstd = new float[rows];
        twin.pick((RmsNorm) Kernels::rmsNorm, VectorNorms::rmsNorm).apply(x, w, out, rstd, rows, d, EPS);
        double[] xd = toDouble(x);
        assertClose(Reference.rmsNorm(xd, toDouble(w), rows, d, EPS), out, TOL, "rmsNorm out");
        double[] wantRstd = new double[rows];
        for (int r = 0; r < rows; r++) {
            wantRstd[r] = Reference.rmsRstd(xd, r, d, EPS);
        }
        assertClose(wantRstd, rstd, TOL, "rmsNorm rstd");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rmsNormBackwardMatchesClosedFormAndFiniteDifferences(Twin twin, int rows, int d, boolean weighted) {
        float[] x = gaussian(rows * 37L + d, rows * d);
        float[] dout = gaussian(rows * 41L + d, rows * d);
        float[] w = weighted ? uniform(d, d, 0.5f, 1.5f) : null;
        float[] rstd = new float[rows];
        Kernels.rmsNorm(x, w, new float[rows * d], rstd, rows, d, EPS);
        float[] dx = gaussian(1, rows * d);
        float[] dw = gaussian(2, d);
        float[] dwBefore = dw.clone();
        twin.pick((RmsNormBackward) Kernels::rmsNormBackward, VectorNorms::rmsNormBackward)
                .apply(dout, x, w, rstd, dx, dw, rows, d);

        double[] xd = toDouble(x);
        double[] doutD = toDouble(dout);
        double[] wd = toDouble(w);
        double[][] want = Reference.rmsNormBackward(doutD, xd, wd, rows, d, EPS);
        assertClose(want[0], dx, TOL, "rmsNorm dx");
        assertClose(plus(dwBefore, want[1]), dw, rowSumTol(rows), "rmsNorm dweight (accumulated)");

        int[] at = Numeric.sample(rows * d, FD_SAMPLES);
        double[] fdx = finiteDifferenceByRow(xd, d, at, (v, r) ->
                rowLoss(doutD, Reference.rmsNorm(Arrays.copyOfRange(v, r * d, r * d + d), wd, 1, d, EPS), r, d));
        assertCloseAt(fdx, dx, at, TOL, "rmsNorm dx vs finite differences");
        double[] ones = new double[d];
        Arrays.fill(ones, 1);
        int[] atW = Numeric.sample(d, FD_SAMPLES / 4);
        double[] fdw = finiteDifference(wd == null ? ones : wd.clone(), atW,
                v -> Reference.dot(doutD, Reference.rmsNorm(xd, v, rows, d, EPS)));
        assertCloseAt(plusAt(dwBefore, atW, fdw), dw, atW, rowSumTol(rows), "rmsNorm dweight vs finite differences");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void layerNormMatchesFloat64(Twin twin, int rows, int d, boolean weighted) {
        float[] x = uniform(rows * 43L + d, rows * d, -2f, 4f);
        float[] w = weighted ? uniform(d, d, 0.5f, 1.5f) : null;
        float[] b = weighted ? gaussian(d + 1, d) : null;
        float[] out = new float[rows * d];
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        twin.pick((LayerNorm) Kernels::layerNorm, VectorNorms::layerNorm).apply(x, w, b, out, mean, rstd, rows, d,
                EPS);
        double[] xd = toDouble(x);
        assertClose(Reference.layerNorm(xd, toDouble(w), toDouble(b), rows, d, EPS), out, TOL, "layerNorm out");
        double[] wantMean = new double[rows];
        double[] wantRstd = new double[rows];
        for (int r = 0; r < rows; r++) {
            wantMean[r] = Reference.mean(xd, r, d);
            wantRstd[r] = Reference.lnRstd(xd, r, d, wantMean[r], EPS);
        }
        assertClose(wantMean, mean, TOL, "layerNorm mean");
        assertClose(wantRstd, rstd, TOL, "layerNorm rstd");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void layerNormBackwardMatchesClosedFormAndFiniteDifferences(Twin twin, int rows, int d, boolean weighted) {
        float[] x = uniform(rows * 47L + d, rows * d, -2f, 4f);
        float[] dout = gaussian(rows * 53L + d, rows * d);
        float[] w = weighted ? uniform(d, d, 0.5f, 1.5f) : null;
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        Kernels.layerNorm(x, w, null, new float[rows * d], mean, rstd, rows, d, EPS);
        float[] dx = new float[rows * d];
        float[] dw = gaussian(3, d);
        float[] db = gaussian(4, d);
        float[] dwBefore = dw.clone();
        float[] dbBefore = db.clone();
        twin.pick((LayerNormBackward) Kernels::layerNormBackward, VectorNorms::layerNormBackward)
                .apply(dout, x, w, mean, rstd, dx, dw, db, rows, d);

        double[] xd = toDouble(x);
        double[] doutD = toDouble(dout);
        double[] wd = toDouble(w);
        double[][] want = Reference.layerNormBackward(doutD, xd, wd, rows, d, EPS);
        assertClose(want[0], dx, TOL, "layerNorm dx");
        assertClose(plus(dwBefore, want[1]), dw, rowSumTol(rows), "layerNorm dweight (accumulated)");
        assertClose(plus(dbBefore, want[2]), db, rowSumTol(rows), "layerNorm dbias (accumulated)");

        int[] at = Numeric.sample(rows * d, FD_SAMPLES);
        double[] fdx = finiteDifferenceByRow(xd, d, at, (v, r) -> rowLoss(doutD,
                Reference.layerNorm(Arrays.copyOfRange(v, r * d, r * d + d), wd, null, 1, d, EPS), r, d));
        assertCloseAt(fdx, dx, at, TOL, "layerNorm dx vs finite differences");
        double[] ones = new double[d];
        Arrays.fill(ones, 1);
        int[] atW = Numeric.sample(d, FD_SAMPLES / 4);
        double[] fdw = finiteDifference(wd == null ? ones : wd.clone(), atW,
                v -> Reference.dot(doutD, Reference.layerNorm(xd, v, null, rows, d, EPS)));
        assertCloseAt(plusAt(dwBefore, atW, fdw), dw, atW, rowSumTol(rows), "layerNorm dweight vs finite differences");
        double[] fdb = finiteDifference(new double[d], atW,
                v -> Reference.dot(doutD, Reference.layerNorm(xd, wd, v, rows, d, EPS)));
        assertCloseAt(plusAt(dbBefore, atW, fdb), db, atW, rowSumTol(rows), "layerNorm dbias vs finite differences");
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void backwardWithoutParameterGradientsGivesTheSameDx(Twin twin) {
        int rows = 9;
        int d = 45;
        float[] x = gaussian(5, rows * d);
        float[] dout = gaussian(6, rows * d);
        float[] w = uniform(7, d, 0.5f, 1.5f);
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        Kernels.layerNorm(x, w, null, new float[rows * d], mean, rstd, rows, d, EPS);
        LayerNormBackward backward = twin.pick(Kernels::layerNormBackward, VectorNorms::layerNormBackward);
        float[] withGrads = new float[rows * d];
        float[] without = new float[rows * d];
        backward.apply(dout, x, w, mean, rstd, withGrads, new float[d], new float[d], rows, d);
        backward.apply(dout, x, w, mean, rstd, without, null, null, rows, d);
        assertArrayEquals(withGrads, without);
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void backwardMayWriteDxOverDout(Twin twin) {
        int rows = 520;
        int d = 130;
        float[] x = gaussian(10, rows * d);
        float[] dout = gaussian(11, rows * d);
        float[] w = uniform(12, d, 0.5f, 1.5f);
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        Kernels.layerNorm(x, w, null, new float[rows * d], mean, rstd, rows, d, EPS);
        LayerNormBackward layer = twin.pick(Kernels::layerNormBackward, VectorNorms::layerNormBackward);
        float[] dx = new float[rows * d];
        float[] dw = new float[d];
        layer.apply(dout, x, w, mean, rstd, dx, dw, null, rows, d);
        float[] inPlace = dout.clone();
        float[] dwInPlace = new float[d];
        layer.apply(inPlace, x, w, mean, rstd, inPlace, dwInPlace, null, rows, d);
        assertArrayEquals(dx, inPlace, "layerNorm dx over dout");
        assertArrayEquals(dw, dwInPlace, "layerNorm dweight with dx over dout");

        Kernels.rmsNorm(x, w, new float[rows * d], rstd, rows, d, EPS);
        RmsNormBackward rms = twin.pick(Kernels::rmsNormBackward, VectorNorms::rmsNormBackward);
        Arrays.fill(dw, 0f);
        rms.apply(dout, x, w, rstd, dx, dw, rows, d);
        inPlace = dout.clone();
        dwInPlace = new float[d];
        rms.apply(inPlace, x, w, rstd, inPlace, dwInPlace, rows, d);
        assertArrayEquals(dx, inPlace, "rmsNorm dx over dout");
        assertArrayEquals(dw, dwInPlace, "rmsNorm dweight with dx over dout");
    }

    /** Σ_i dout[r, i]·y[i] for one row's output y [d]. */
    private static double rowLoss(double[] dout, double[] y, int r, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            s += dout[r * d + i] * y[i];
        }
        return s;
    }

    /**
     * Parameter gradients sum one term per row; with cancelling terms a float sum drifts like a random walk, so
     * the bound grows with √rows (observed at 1000 rows: 2.2e-5 relative, 14× below this bound).
     */
    private static double rowSumTol(int rows) {
        return TOL * Math.sqrt(rows);
    }

    private static double[] plusAt(float[] before, int[] at, double[] delta) {
        double[] sum = new double[at.length];
        for (int j = 0; j < at.length; j++) {
            sum[j] = before[at[j]] + delta[j];
        }
        return sum;
    }

    private static double[] plus(float[] before, double[] delta) {
        double[] sum = new double[delta.length];
        for (int i = 0; i < delta.length; i++) {
            sum[i] = before[i] + delta[i];
        }
        return sum;
    }
}
