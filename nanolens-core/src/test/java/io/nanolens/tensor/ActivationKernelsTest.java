package io.nanolens.tensor;

import static io.nanolens.tensor.Numeric.assertClose;
import static io.nanolens.tensor.Numeric.derivative;
import static io.nanolens.tensor.Numeric.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GELU, squared ReLU and soft-capping, forward and backward, both twins: forwards against float64, gradients
 * against float64 finite differences of the float64 forward. Also the vector tanh on a dense sweep.
 */
class ActivationKernelsTest {
    // Observed errors stay below 1e-6·(1 + |want|) on these inputs; 4e-6 leaves room for other CPUs' exp.
    private static final double TOL = 4e-6;
    private static final float CAP = 15f;

    interface Unary {
        void apply(float[] x, float[] out, int n);
    }

    interface Backward {
        void apply(float[] dout, float[] x, float[] dx, int n);
    }

    interface Capped {
        void apply(float[] x, float[] out, int n, float cap);
    }

    /** Both twins × lengths 1 to 40 003 (the last past the parallel threshold). */
    static Stream<Arguments> cases() {
        return Arrays.stream(Twin.values()).flatMap(t -> Stream.of(1, 7, 33, 1000, 40_003).map(n -> Arguments.of(t, n)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void geluMatchesFloat64(Twin twin, int n) {
        checkForward(twin.pick(Kernels::gelu, VectorKernels::gelu), n, Reference::gelu, "gelu");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void geluBackwardMatchesFiniteDifferences(Twin twin, int n) {
        checkBackward(twin.pick(Kernels::geluBackward, VectorKernels::geluBackward), n, Reference::gelu, "gelu'");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void reluSquaredMatchesFloat64(Twin twin, int n) {
        checkForward(twin.pick(Kernels::reluSquared, VectorKernels::reluSquared), n, Reference::reluSquared, "relu²");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void reluSquaredBackwardMatchesFiniteDifferences(Twin twin, int n) {
        checkBackward(twin.pick(Kernels::reluSquaredBackward, VectorKernels::reluSquaredBackward), n,
                Reference::reluSquared, "relu²'");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void softcapMatchesFloat64(Twin twin, int n) {
        Capped softcap = twin.pick(Kernels::softcap, VectorKernels::softcap);
        checkForward((x, out, len) -> softcap.apply(x, out, len, CAP), n, v -> Reference.softcap(v, CAP), "softcap");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void softcapBackwardFromTheOutputMatchesFiniteDifferences(Twin twin, int n) {
        float[] x = inputs(n);
        float[] dout = gaussian(n + 1, n);
        float[] y = new float[n];
        Kernels.softcap(x, y, n, CAP);
        float[] dx = new float[n];
        twin.pick((Capped4) Kernels::softcapBackward, VectorKernels::softcapBackward).apply(dout, y, dx, n, CAP);
        assertClose(times(dout, derivative(x, v -> Reference.softcap(v, CAP))), dx, TOL, "softcap'");
    }

    @ParameterizedTest
    @EnumSource(Twin.class)
    void activationsMayOverwriteTheirInput(Twin twin) {
        float[] x = inputs(29);
        float[] separate = new float[x.length];
        twin.pick((Unary) Kernels::gelu, VectorKernels::gelu).apply(x, separate, x.length);
        twin.pick((Unary) Kernels::gelu, VectorKernels::gelu).apply(x, x, x.length);
        assertEquals(Arrays.toString(separate), Arrays.toString(x));
    }

    @Test
    void vectorTanhStaysWithinHalfAMillionthOfMathTanhAndWithinOne() {
        int n = 1 << 19;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // Even i sweep [-12, 12] linearly; odd i sweep ±[1e-8, 1] geometrically, where relative error is hardest.
            double u = (double) i / n;
            x[i] = (float) ((i & 1) == 0 ? 24 * u - 12 : ((i & 2) == 0 ? 1 : -1) * Math.pow(10, -8 + 8 * u));
        }
        float[] y = new float[n];
        for (int i = 0; i < n; i += Simd.F.length()) {
            VectorKernels.tanh(FloatVector.fromArray(Simd.F, x, i)).intoArray(y, i);
        }
        double worst = 0;
        float largest = 0;
        for (int i = 0; i < n; i++) {
            double want = Math.tanh(x[i]);
            worst = Math.max(worst, Math.abs(y[i] - want) / Math.max(Math.abs(want), Double.MIN_NORMAL));
            largest = Math.max(largest, Math.abs(y[i]));
        }
        assertTrue(worst <= 5e-7, "worst relative error of the vector tanh: " + worst);
        assertTrue(largest <= 1, "vector tanh reached " + largest);
    }

    interface Capped4 {
        void apply(float[] dout, float[] y, float[] dx, int n, float cap);
    }

    /** Seeded N(0, 3²) values with every 97th set to ±30, deep in every saturated regime. */
    private static float[] inputs(int n) {
        float[] x = gaussian(n, n);
        for (int i = 0; i < n; i++) {
            x[i] = i % 97 == 5 ? (i % 2 == 0 ? 30f : -30f) : 3 * x[i];
        }
        return x;
    }

    private static void checkForward(Unary kernel, int n, DoubleUnaryOperator f, String what) {
        float[] x = inputs(n);
        float[] out = new float[n];
        kernel.apply(x, out, n);
        double[] want = new double[n];
        for (int i = 0; i < n; i++) {
            want[i] = f.applyAsDouble(x[i]);
        }
        assertClose(want, out, TOL, what);
    }

    private static void checkBackward(Backward kernel, int n, DoubleUnaryOperator f, String what) {
        float[] x = inputs(n);
        float[] dout = gaussian(n + 1, n);
        float[] dx = new float[n];
        kernel.apply(dout, x, dx, n);
        assertClose(times(dout, derivative(x, f)), dx, TOL, what);
    }

    private static double[] times(float[] dout, double[] slope) {
        double[] g = new double[slope.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = dout[i] * slope[i];
        }
        return g;
    }
}
