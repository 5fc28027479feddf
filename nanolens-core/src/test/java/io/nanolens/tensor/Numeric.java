package io.nanolens.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * Seeded inputs, float64 finite differences and the error bound the kernel tests hold float32 results to:
 * |got − want| ≤ tol·(1 + |want|) per element.
 */
final class Numeric {
    // Central differences in float64: truncation ~h²·f''' ≈ 1e-10, rounding ~1e-16·|loss|/h ≈ 1e-9.
    private static final double H = 1e-5;

    private Numeric() {
    }

    /** n values drawn from N(0, 1), seeded. */
    static float[] gaussian(long seed, int n) {
        return Tensor.randn(seed, 1f, n).data();
    }

    /** n values drawn uniformly from [lo, hi), seeded. */
    static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return x;
    }

    static double[] toDouble(float[] x) {
        if (x == null) {
            return null;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }

    /** Fails with the worst element unless every |got[i] − want[i]| ≤ tol·(1 + |want[i]|). */
    static void assertClose(double[] want, float[] got, double tol, String what) {
        assertClose(want, got, 0, want.length, tol, what);
    }

    /** As {@link #assertClose(double[], float[], double, String)} over got[from, from + n) against want[0, n). */
    static void assertClose(double[] want, float[] got, int from, int n, double tol, String what) {
        int worst = -1;
        double worstRatio = 1;
        for (int i = 0; i < n; i++) {
            double ratio = Math.abs(got[from + i] - want[i]) / (tol * (1 + Math.abs(want[i])));
            if (!(ratio <= worstRatio)) {
                worst = i;
                worstRatio = ratio;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + got[from + worst] + ", want " + want[worst]
                    + " (error " + worstRatio + "× the bound " + tol + "·(1 + |want|))");
        }
    }

    /** At most {@code max} indices spread evenly over [0, n), always including the first and the last. */
    static int[] sample(int n, int max) {
        int count = Math.min(n, max);
        int[] at = new int[count];
        for (int j = 0; j < count; j++) {
            at[j] = count == 1 ? 0 : (int) ((long) j * (n - 1) / (count - 1));
        }
        return at;
    }

    /** ∂loss/∂x[i] by central differences at each index i of {@code at}. */
    static double[] finiteDifference(double[] x, int[] at, ToDoubleFunction<double[]> loss) {
        double[] grad = new double[at.length];
        for (int j = 0; j < at.length; j++) {
            grad[j] = partial(x, at[j], loss);
        }
        return grad;
    }

    /** As above for x [rows, d] whose row r enters the loss only through the term rowLoss(x, r). */
    static double[] finiteDifferenceByRow(double[] x, int d, int[] at, RowLoss rowLoss) {
        double[] grad = new double[at.length];
        for (int j = 0; j < at.length; j++) {
            int row = at[j] / d;
            grad[j] = partial(x, at[j], v -> rowLoss.apply(v, row));
        }
        return grad;
    }

    /** Fails unless |got[at[j]] − want[j]| ≤ tol·(1 + |want[j]|) for every j. */
    static void assertCloseAt(double[] want, float[] got, int[] at, double tol, String what) {
        float[] picked = new float[at.length];
        for (int j = 0; j < at.length; j++) {
            picked[j] = got[at[j]];
        }
        assertClose(want, picked, tol, what + " (at sampled indices)");
    }

    /** ∂f/∂x at each x[i] for a scalar function applied elementwise. */
    static double[] derivative(float[] x, DoubleUnaryOperator f) {
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            grad[i] = (f.applyAsDouble(x[i] + H) - f.applyAsDouble(x[i] - H)) / (2 * H);
        }
        return grad;
    }

    private static double partial(double[] x, int i, ToDoubleFunction<double[]> loss) {
        double saved = x[i];
        x[i] = saved + H;
        double up = loss.applyAsDouble(x);
        x[i] = saved - H;
        double down = loss.applyAsDouble(x);
        x[i] = saved;
        return (up - down) / (2 * H);
    }

    /** The part of a loss that row r of x contributes. */
    @FunctionalInterface
    interface RowLoss {
        double apply(double[] x, int r);
    }
}
