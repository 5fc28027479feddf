package io.nanolens.study;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrincipalComponentsTest {

    /** n rows of width d: x = A·z + offset, z standard normal, A random, so the covariance is A·Aᵀ (correlated). */
    private static float[] correlated(int n, int d, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] a = new double[d * d];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextGaussian() * (1 + i % d);
        }
        float[] x = new float[n * d];
        double[] z = new double[d];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                z[j] = random.nextGaussian();
            }
            for (int i = 0; i < d; i++) {
                double s = 3 + i;
                for (int j = 0; j < d; j++) {
                    s += a[i * d + j] * z[j];
                }
                x[r * d + i] = (float) s;
            }
        }
        return x;
    }

    /** The covariance the naive way: two passes in double. */
    private static double[] covariance(float[] x, int n, int d) {
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                mean[i] += x[r * d + i] / (double) n;
            }
        }
        double[] c = new double[d * d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    c[i * d + j] += (x[r * d + i] - mean[i]) * (x[r * d + j] - mean[j]) / n;
                }
            }
        }
        return c;
    }

    private static double variance(double[] c, int d, double[] u) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                s += u[i] * c[i * d + j] * u[j];
            }
        }
        return s;
    }

    private static double[] component(PrincipalComponents pca, int r, int d) {
        double[] v = new double[d];
        System.arraycopy(pca.components(), r * d, v, 0, d);
        return v;
    }

    @Test
    void theFirstTwoComponentsMaximiseVarianceAsABruteForceSearchOverDirectionsFindsIt() {
        int n = 400;
        float[] x = correlated(n, 3, 7);
        double[] c = covariance(x, n, 3);
        PrincipalComponents pca = PrincipalComponents.fit(x, n, 3, 2);
        double best = -1;
        double[] arg = null;
        for (int a = 0; a < 720; a++) {             // the half sphere, a quarter degree apart
            for (int b = 0; b <= 360; b++) {
                double theta = Math.PI * a / 720;
                double phi = Math.PI * b / 360 - Math.PI / 2;
                double[] u = {Math.cos(phi) * Math.cos(theta), Math.cos(phi) * Math.sin(theta), Math.sin(phi)};
                double v = variance(c, 3, u);
                if (v > best) {
                    best = v;
                    arg = u;
                }
            }
        }
        double[] v1 = component(pca, 0, 3);
        assertEquals(best, pca.variances()[0], 1e-3 * best);
        assertTrue(Math.abs(v1[0] * arg[0] + v1[1] * arg[1] + v1[2] * arg[2]) > 0.999);
        double best2 = -1;                            // the circle orthogonal to v1
        double[] e1 = orthonormal(v1);
        double[] e2 = {v1[1] * e1[2] - v1[2] * e1[1], v1[2] * e1[0] - v1[0] * e1[2], v1[0] * e1[1] - v1[1] * e1[0]};
        for (int a = 0; a < 3600; a++) {
            double t = Math.PI * a / 3600;
            double[] u = new double[3];
            for (int i = 0; i < 3; i++) {
                u[i] = Math.cos(t) * e1[i] + Math.sin(t) * e2[i];
            }
            best2 = Math.max(best2, variance(c, 3, u));
        }
        assertEquals(best2, pca.variances()[1], 1e-4 * best);
    }

    /** A unit vector orthogonal to v. */
    private static double[] orthonormal(double[] v) {
        double[] u = Math.abs(v[0]) < 0.9 ? new double[] {1, 0, 0} : new double[] {0, 1, 0};
        double dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
        double norm = 0;
        for (int i = 0; i < 3; i++) {
            u[i] -= dot * v[i];
            norm += u[i] * u[i];
        }
        for (int i = 0; i < 3; i++) {
            u[i] /= Math.sqrt(norm);
        }
        return u;
    }

    @Test
    void componentsAreOrthonormalEigenvectorsOfTheNaiveCovarianceInDecreasingOrder() {
        int n = 300;
        int d = 12;
        float[] x = correlated(n, d, 13);
        double[] c = covariance(x, n, d);
        PrincipalComponents pca = PrincipalComponents.fit(x, n, d, d);
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += c[i * d + i];
        }
        assertEquals(trace, pca.totalVariance(), 1e-5 * trace);
        double sum = 0;
        for (int r = 0; r < d; r++) {
            double[] v = component(pca, r, d);
            double lambda = pca.variances()[r];
            sum += lambda;
            if (r > 0) {
                assertTrue(lambda <= pca.variances()[r - 1], "decreasing");
            }
            for (int i = 0; i < d; i++) {
                double cv = 0;
                for (int j = 0; j < d; j++) {
                    cv += c[i * d + j] * v[j];
                }
                assertEquals(lambda * v[i], cv, 1e-5 * pca.variances()[0], "C·v = λ·v, component " + r);
            }
            for (int s = 0; s <= r; s++) {
                double[] w = component(pca, s, d);
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += v[i] * w[i];
                }
                assertEquals(s == r ? 1 : 0, dot, 1e-9);
            }
        }
        assertEquals(trace, sum, 1e-5 * trace, "the eigenvalues add up to the trace");
    }

    @Test
    void projectionIsTheDotProductOfTheCentredRowWithEachComponent() {
        int n = 50;
        int d = 5;
        float[] x = correlated(n, d, 21);
        PrincipalComponents pca = PrincipalComponents.fit(x, n, d, 2);
        double[] xy = pca.project(x, n);
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                mean[i] += x[r * d + i] / (double) n;
            }
        }
        double sumX = 0;
        for (int r = 0; r < n; r++) {
            for (int a = 0; a < 2; a++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += (x[r * d + i] - mean[i]) * pca.components()[a * d + i];
                }
                assertEquals(dot, xy[r * 2 + a], 1e-4);
            }
            sumX += xy[r * 2];
        }
        assertEquals(0, sumX / n, 1e-4, "centred coordinates average to zero");
        assertEquals(pca.variances()[0] / pca.totalVariance(), pca.explained(0), 1e-12);
    }

    @Test
    void aDiagonalCovarianceGivesTheAxesWithTheLargestEntryPositive() {
        double[] c = {1, 0, 0, 0, 5, 0, 0, 0, 3};
        PrincipalComponents pca = PrincipalComponents.ofCovariance(c, 3, 3, new double[3]);
        assertEquals(5, pca.variances()[0], 1e-12);
        assertEquals(3, pca.variances()[1], 1e-12);
        assertEquals(1, pca.variances()[2], 1e-12);
        assertEquals(1, pca.components()[1], 1e-12);
        assertEquals(1, pca.components()[3 + 2], 1e-12);
        assertEquals(1, pca.components()[6], 1e-12);
    }
}
