package io.nanolens.study;

import io.nanolens.tensor.Matmul;

import java.util.Arrays;

/**
 * Principal component analysis of n rows of width d, for 2-D maps of features (decoder rows): the mean, the
 * covariance C = (1/n)·Σ (x − μ)(x − μ)ᵀ (a float product, summed in the kernels' order), and its eigenvectors by
 * the cyclic Jacobi method in double precision (Golub and Van Loan, "Matrix Computations", §8.5), the largest
 * eigenvalues first. Jacobi costs about 10 sweeps of d³ work, under a second for d ≤ 512; it needs no tuning and
 * gives every eigenpair to working precision. A component's sign is fixed so that its largest entry is positive.
 *
 * @param mean          [d] the rows' mean
 * @param components    [count, d] unit principal directions, largest variance first
 * @param variances     [count] the variance along each direction (the eigenvalues)
 * @param totalVariance the trace of C: the variance summed over every direction
 */
public record PrincipalComponents(double[] mean, double[] components, double[] variances, double totalVariance) {
    private static final int MAX_SWEEPS = 60;

    /**
     * The first {@code count} principal components of the rows of {@code rows} [n, d].
     *
     * @throws IllegalArgumentException unless n ≥ 1 and 1 ≤ count ≤ d
     */
    public static PrincipalComponents fit(float[] rows, int n, int d, int count) {
        if (n < 1 || count < 1 || count > d) {
            throw new IllegalArgumentException("need n ≥ 1 rows and 1 ≤ count ≤ d = " + d + ", got n = " + n
                    + ", count = " + count);
        }
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                mean[c] += rows[i * d + c];
            }
        }
        float[] centred = new float[n * d];
        for (int c = 0; c < d; c++) {
            mean[c] /= n;
        }
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                centred[i * d + c] = (float) (rows[i * d + c] - mean[c]);
            }
        }
        float[] product = new float[d * d];
        Matmul.aTb(centred, centred, product, d, n, d, false);
        double[] covariance = new double[d * d];
        for (int i = 0; i < d * d; i++) {
            covariance[i] = product[i] / (double) n;
        }
        for (int i = 0; i < d; i++) {          // symmetric to the last bit, as Jacobi assumes
            for (int j = 0; j < i; j++) {
                double s = (covariance[i * d + j] + covariance[j * d + i]) / 2;
                covariance[i * d + j] = s;
                covariance[j * d + i] = s;
            }
        }
        return ofCovariance(covariance, d, count, mean);
    }

    /** The leading eigenpairs of the symmetric {@code covariance} [d, d]. */
    static PrincipalComponents ofCovariance(double[] covariance, int d, int count, double[] mean) {
        double[] a = covariance.clone();
        double[] v = new double[d * d];
        double trace = 0;
        for (int i = 0; i < d; i++) {
            v[i * d + i] = 1;
            trace += a[i * d + i];
        }
        jacobi(a, v, d);
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(a[y * d + y], a[x * d + x]));
        double[] components = new double[count * d];
        double[] variances = new double[count];
        for (int r = 0; r < count; r++) {
            int col = order[r];
            variances[r] = Math.max(0, a[col * d + col]);
            int largest = 0;
            for (int c = 0; c < d; c++) {
                components[r * d + c] = v[c * d + col];
                if (Math.abs(v[c * d + col]) > Math.abs(v[largest * d + col])) {
                    largest = c;
                }
            }
            if (v[largest * d + col] < 0) {
                for (int c = 0; c < d; c++) {
                    components[r * d + c] = -components[r * d + c];
                }
            }
        }
        return new PrincipalComponents(mean, components, variances, trace);
    }

    /**
     * Diagonalises the symmetric {@code a} [d, d] in place by plane rotations, accumulating them in the columns of
     * {@code v} (eigenvector j is column j), sweeping until the off-diagonal mass is negligible next to the whole.
     */
    private static void jacobi(double[] a, double[] v, int d) {
        double whole = 0;
        for (double x : a) {
            whole += x * x;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    off += a[p * d + q] * a[p * d + q];
                }
            }
            if (off <= 1e-30 * whole) {
                return;
            }
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    if (a[p * d + q] != 0) {
                        rotate(a, v, d, p, q);
                    }
                }
            }
        }
    }

    /** One rotation in the (p, q) plane that zeroes a[p, q]: A ← JᵀAJ, V ← VJ. */
    private static void rotate(double[] a, double[] v, int d, int p, int q) {
        double apq = a[p * d + q];
        double theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < d; k++) {
            double akp = a[k * d + p];
            double akq = a[k * d + q];
            a[k * d + p] = c * akp - s * akq;
            a[k * d + q] = s * akp + c * akq;
        }
        for (int k = 0; k < d; k++) {
            double apk = a[p * d + k];
            double aqk = a[q * d + k];
            a[p * d + k] = c * apk - s * aqk;
            a[q * d + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < d; k++) {
            double vkp = v[k * d + p];
            double vkq = v[k * d + q];
            v[k * d + p] = c * vkp - s * vkq;
            v[k * d + q] = s * vkp + c * vkq;
        }
    }

    /** Components kept. */
    public int count() {
        return variances.length;
    }

    /** The coordinates of the rows of {@code rows} [n, d] along the components: [n, count], (x − μ)·v. */
    public double[] project(float[] rows, int n) {
        int d = mean.length;
        int count = count();
        double[] out = new double[n * count];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < count; r++) {
                double dot = 0;
                for (int c = 0; c < d; c++) {
                    dot += (rows[i * d + c] - mean[c]) * components[r * d + c];
                }
                out[i * count + r] = dot;
            }
        }
        return out;
    }

    /** The fraction of the total variance along component {@code r}. */
    public double explained(int r) {
        return totalVariance > 0 ? variances[r] / totalVariance : 0;
    }
}
