package io.nanolens.sae;

import io.nanolens.tensor.Parallel;

import java.util.Arrays;

/**
 * The elementwise and per-row passes of an SAE step around its matrix products, on row-major batches [rows, n]:
 * bias broadcasts, ReLU, column sums (bias gradients) and the squared error with its gradient. Loops are split over
 * threads through {@link Parallel} in chunks that each own whole rows (or, for column sums, whole columns), so every
 * result is the same for any thread count.
 */
final class SaeRows {
    private static final int GRAIN = 1 << 15; // elements per parallel chunk: below this, threads cost more than they save

    private SaeRows() {
    }

    /** out[r, :] = x[r, :] − bias for every row; out may be x. */
    static void subtractRowBias(float[] x, int rows, int n, float[] bias, float[] out) {
        Parallel.forRange(rows, rowGrain(n), (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int c = 0, o = r * n; c < n; c++) {
                    out[o + c] = x[o + c] - bias[c];
                }
            }
        });
    }

    /** a[r, :] += bias for every row. */
    static void addRowBias(float[] a, int rows, int n, float[] bias) {
        Parallel.forRange(rows, rowGrain(n), (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int c = 0, o = r * n; c < n; c++) {
                    a[o + c] += bias[c];
                }
            }
        });
    }

    /** a[i] = max(a[i], 0) for i < n. */
    static void relu(float[] a, int n) {
        Parallel.forRange(n, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                a[i] = Math.max(a[i], 0f);
            }
        });
    }

    /** out[c] += sign·Σ_r a[r, c]; each column is summed over rows in order. */
    static void addColumnSums(float[] a, int rows, int n, float sign, float[] out) {
        Parallel.forRange(n, Math.max(1, GRAIN / Math.max(1, rows)), (from, to) -> {
            for (int r = 0; r < rows; r++) {
                for (int c = from, o = r * n; c < to; c++) {
                    out[c] += sign * a[o + c];
                }
            }
        });
    }

    /** out[c] = Σ_r a[r, c]. */
    static void columnSums(float[] a, int rows, int n, float[] out) {
        Arrays.fill(out, 0, n, 0f);
        addColumnSums(a, rows, n, 1f, out);
    }

    /**
     * The mean over rows of Σ_c (a[r, c] − b[r, c])², summed in float64; when {@code grad} is not null it receives
     * gradScale·(a − b), and may be the same array as a or b.
     *
     * @param rowSums [rows] scratch for the per-row sums
     */
    static double meanSquaredError(float[] a, float[] b, int rows, int n, float[] grad, double gradScale,
                                   double[] rowSums) {
        float scale = (float) gradScale;
        Parallel.forRange(rows, rowGrain(n), (from, to) -> {
            for (int r = from; r < to; r++) {
                double sum = 0;
                for (int c = 0, o = r * n; c < n; c++) {
                    float e = a[o + c] - b[o + c];
                    sum += (double) e * e;
                    if (grad != null) {
                        grad[o + c] = scale * e;
                    }
                }
                rowSums[r] = sum;
            }
        });
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total += rowSums[r];
        }
        return total / rows;
    }

    /** norms[i] = ‖w[i, :]‖ for w [m, d]. */
    static void rowNorms(float[] w, int m, int d, float[] norms) {
        Parallel.forRange(m, rowGrain(d), (from, to) -> {
            for (int i = from; i < to; i++) {
                double sum = 0;
                for (int c = 0, o = i * d; c < d; c++) {
                    sum += (double) w[o + c] * w[o + c];
                }
                norms[i] = (float) Math.sqrt(sum);
            }
        });
    }

    /** Σ_i a[i]·b[i] in float64. */
    static double dot(float[] a, float[] b, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    /**
     * The decoder gradient of a penalty scale·Σ_i sums[i]·‖w_i‖: gw[i, :] += scale·sums[i]/‖w_i‖·w[i, :]. A zero
     * row has no direction and gets nothing.
     */
    static void addNormGradient(float[] sums, float scale, float[] norms, float[] w, float[] gw, int m, int d) {
        Parallel.forRange(m, rowGrain(d), (from, to) -> {
            for (int i = from; i < to; i++) {
                if (norms[i] > 0 && sums[i] != 0) {
                    float f = scale * sums[i] / norms[i];
                    for (int c = 0, o = i * d; c < d; c++) {
                        gw[o + c] += f * w[o + c];
                    }
                }
            }
        });
    }

    /** Runs body over [0, rows) split into chunks of whole rows of {@code width} values each. */
    static void forRows(int rows, int width, Parallel.RangeTask body) {
        Parallel.forRange(rows, rowGrain(width), body);
    }

    private static int rowGrain(int n) {
        return Math.max(1, GRAIN / Math.max(1, n));
    }
}
