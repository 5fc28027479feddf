package io.nanolens.tensor;

import static io.nanolens.tensor.Numeric.assertClose;
import static io.nanolens.tensor.Numeric.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** add, mul, scale, axpy, dot and sumSquares of both twins against float64, on lengths around the vector width. */
class ElementwiseKernelsTest {
    // One float rounding per element (two for a fused axpy): a few ulp, far below this bound.
    private static final double TOL = 1e-6;
    private static final int SENTINEL_PAD = 5;

    interface Binary {
        void apply(float[] x, float[] y, float[] out, int n);
    }

    interface Scale {
        void apply(float[] x, float s, float[] out, int n);
    }

    interface Axpy {
        void apply(float a, float[] x, float[] y, int n);
    }

    interface Dot {
        float apply(float[] a, int aOff, float[] b, int bOff, int n);
    }

    interface SumSquares {
        float apply(float[] x, int off, int n);
    }

    /** Lengths 1 to 40 003: below and above one vector, not multiples of 8, and past the parallel threshold. */
    static Stream<Arguments> lengths() {
        return cross(1, 7, 33, 1000, 40_003);
    }

    /** As {@link #lengths()}, plus one long enough for the chunked parallel reduction. */
    static Stream<Arguments> reductionLengths() {
        return cross(1, 7, 33, 1000, 40_003, 140_001);
    }

    private static Stream<Arguments> cross(int... ns) {
        return Arrays.stream(Twin.values()).flatMap(t -> Arrays.stream(ns).mapToObj(n -> Arguments.of(t, n)));
    }

    @ParameterizedTest
    @MethodSource("lengths")
    void addMatchesFloat64AndLeavesValuesPastNUntouched(Twin twin, int n) {
        checkBinary(twin.pick(Kernels::add, VectorKernels::add), n, Double::sum, "add");
    }

    @ParameterizedTest
    @MethodSource("lengths")
    void mulMatchesFloat64AndLeavesValuesPastNUntouched(Twin twin, int n) {
        checkBinary(twin.pick(Kernels::mul, VectorKernels::mul), n, (a, b) -> a * b, "mul");
    }

    @ParameterizedTest
    @MethodSource("lengths")
    void scaleMatchesFloat64(Twin twin, int n) {
        float[] x = gaussian(n, n + SENTINEL_PAD);
        float[] out = sentinels(n + SENTINEL_PAD);
        twin.pick((Scale) Kernels::scale, VectorKernels::scale).apply(x, -1.7f, out, n);
        double[] want = new double[n];
        for (int i = 0; i < n; i++) {
            want[i] = -1.7 * x[i];
        }
        assertClose(want, out, TOL, "scale");
        assertSentinelsFrom(out, n);
    }

    @ParameterizedTest
    @MethodSource("lengths")
    void axpyAddsAxToYAndNothingPastN(Twin twin, int n) {
        float[] x = gaussian(n, n + SENTINEL_PAD);
        float[] y = gaussian(n + 1, n + SENTINEL_PAD);
        float[] before = y.clone();
        twin.pick((Axpy) Kernels::axpy, VectorKernels::axpy).apply(0.3f, x, y, n);
        double[] want = new double[n];
        for (int i = 0; i < n; i++) {
            want[i] = before[i] + 0.3 * x[i];
        }
        assertClose(want, y, TOL, "axpy");
        assertEquals(Arrays.toString(Arrays.copyOfRange(before, n, n + SENTINEL_PAD)),
                Arrays.toString(Arrays.copyOfRange(y, n, n + SENTINEL_PAD)));
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void outputMayBeTheInputArray(Twin twin) {
        int n = 37;
        float[] x = gaussian(3, n);
        float[] y = gaussian(4, n);
        float[] sum = x.clone();
        twin.pick((Binary) Kernels::add, VectorKernels::add).apply(sum, y, sum, n);
        float[] scaled = x.clone();
        twin.pick((Scale) Kernels::scale, VectorKernels::scale).apply(scaled, 2f, scaled, n);
        for (int i = 0; i < n; i++) {
            assertEquals(x[i] + y[i], sum[i], 1e-6 * (1 + Math.abs(x[i] + y[i])));
            assertEquals(2 * x[i], scaled[i], 0f);
        }
    }

    @ParameterizedTest
    @MethodSource("reductionLengths")
    void dotWithOffsetsMatchesFloat64WithinTheReductionBound(Twin twin, int n) {
        float[] a = gaussian(n, n + 3);
        float[] b = gaussian(n + 1, n + 5);
        float got = twin.pick((Dot) Kernels::dot, VectorKernels::dot).apply(a, 3, b, 5, n);
        double want = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            want += (double) a[3 + i] * b[5 + i];
            magnitude += Math.abs((double) a[3 + i] * b[5 + i]);
        }
        assertReduction(want, got, n, magnitude);
    }

    @ParameterizedTest
    @MethodSource("reductionLengths")
    void sumSquaresWithOffsetMatchesFloat64WithinTheReductionBound(Twin twin, int n) {
        float[] x = gaussian(n, n + 2);
        float got = twin.pick((SumSquares) Kernels::sumSquares, VectorKernels::sumSquares).apply(x, 2, n);
        double want = 0;
        for (int i = 0; i < n; i++) {
            want += (double) x[2 + i] * x[2 + i];
        }
        assertReduction(want, got, n, want);
    }

    /**
     * A float sum of n terms errs by at most about λ·u·√n·Σ|terms| with high probability (Higham & Mary 2019,
     * probabilistic rounding-error analysis), u = 2⁻²⁴; λ = 4 leaves room for the fused products.
     */
    private static void assertReduction(double want, float got, int n, double magnitude) {
        double bound = 4 * Math.ulp(1f) / 2 * Math.sqrt(n) * magnitude + 1e-30;
        assertTrue(Math.abs(got - want) <= bound,
                "sum over " + n + " is " + got + ", want " + want + " within " + bound);
    }

    private static void checkBinary(Binary kernel, int n, DoubleBinaryOperator op, String what) {
        float[] x = gaussian(n, n + SENTINEL_PAD);
        float[] y = gaussian(n + 1, n + SENTINEL_PAD);
        float[] out = sentinels(n + SENTINEL_PAD);
        kernel.apply(x, y, out, n);
        double[] want = new double[n];
        for (int i = 0; i < n; i++) {
            want[i] = op.applyAsDouble(x[i], y[i]);
        }
        assertClose(want, out, TOL, what);
        assertSentinelsFrom(out, n);
    }

    private static float[] sentinels(int n) {
        float[] out = new float[n];
        Arrays.fill(out, 12345f);
        return out;
    }

    private static void assertSentinelsFrom(float[] out, int n) {
        for (int i = n; i < out.length; i++) {
            assertEquals(12345f, out[i], 0f, "value past n at " + i + " was written");
        }
    }
}
