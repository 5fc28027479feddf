package io.nanolens.sae.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

class SyntheticActivationsTest {

    @Test
    void firingProbabilitiesSumToTheMeanActiveAndStayAtMostOne() {
        SyntheticActivations spec = new SyntheticActivations(8, 50, 20, 1.5, 1, 0, 0, 1);
        double[] p = spec.firingProbabilities();
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            assertTrue(p[i] > 0 && p[i] <= 1, "p[" + i + "] = " + p[i]);
            if (i > 0) {
                assertTrue(p[i] <= p[i - 1], "Zipf order at " + i);
            }
            sum += p[i];
        }
        assertEquals(20, sum, 1e-9);
        assertEquals(1, p[0], 0, "so steep a Zipf clips the most frequent feature");
    }

    @Test
    void directionsAreUnitLength() {
        SyntheticActivations spec = SyntheticActivations.of(33, 17, 3, 5);
        float[] dirs = spec.directions();
        for (int f = 0; f < 17; f++) {
            double norm = 0;
            for (int j = 0; j < 33; j++) {
                norm += dirs[f * 33 + j] * dirs[f * 33 + j];
            }
            assertEquals(1, norm, 1e-5);
        }
    }

    @Test
    void rowsAreTheSumOfTheFiringDirectionsPlusNoiseAndFrequenciesMatch() {
        SyntheticActivations spec = new SyntheticActivations(16, 40, 4, 0.7, 2, 0.5, 0, 9);
        int rows = 20000;
        float[] x = new float[rows * 16];
        boolean[] active = new boolean[rows * 40];
        spec.stream().next(rows, x, active);
        float[] dirs = spec.directions();
        double[] p = spec.firingProbabilities();
        int[] count = new int[40];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < 40; f++) {
                if (active[r * 40 + f]) {
                    count[f]++;
                }
            }
        }
        for (int f = 0; f < 40; f++) {
            double se = Math.sqrt(p[f] * (1 - p[f]) / rows);
            assertEquals(p[f], count[f] / (double) rows, 5 * se + 1e-9, "frequency of feature " + f);
        }
        // With no noise every row lies in the span of its active directions: the residual after least
        // squares on just those directions is zero, and a row with nothing active is zero.
        for (int r = 0; r < 200; r++) {
            double residual = residualOutsideSpan(x, r, 16, dirs, active, 40);
            assertEquals(0, residual, 1e-4, "row " + r);
        }
    }

    @Test
    void groupedFeaturesOnlyFireTogetherWithTheirGroup() {
        SyntheticActivations spec = new SyntheticActivations(4, 20, 5, 0, 2, 1, 0, 3);
        int rows = 5000;
        boolean[] active = new boolean[rows * 20];
        spec.stream().next(rows, new float[rows * 4], active);
        int both = 0;
        int first = 0;
        for (int r = 0; r < rows; r++) {
            if (active[r * 20]) {
                first++;
                if (active[r * 20 + 1]) {
                    both++;
                }
            }
        }
        // p = 0.25 each; independent firing would give P(second | first) = 0.25, grouping gives 1.
        assertTrue(both > 0.9 * first, both + " of " + first);
    }

    @Test
    void sameSeedSameRowsAndTheStreamContinues() {
        SyntheticActivations spec = SyntheticActivations.of(7, 11, 2, 42);
        float[] all = new float[10 * 7];
        spec.stream().next(10, all, null);
        SyntheticActivations.Stream twoParts = spec.stream();
        float[] a = new float[4 * 7];
        float[] b = new float[6 * 7];
        twoParts.next(4, a, null);
        twoParts.next(6, b, null);
        float[] joined = new float[70];
        System.arraycopy(a, 0, joined, 0, 28);
        System.arraycopy(b, 0, joined, 28, 42);
        assertArrayEquals(all, joined);
    }

    @Test
    void impossibleSpecsAreRefused() {
        assertThrows(NanolensException.class, () -> SyntheticActivations.of(0, 4, 1, 1));
        assertThrows(NanolensException.class, () -> SyntheticActivations.of(4, 4, 5, 1));
        assertThrows(NanolensException.class, () -> new SyntheticActivations(4, 4, 1, -1, 1, 0, 0, 1));
    }

    /** ‖x_r − P x_r‖ with P the projection on the span of row r's active directions (Gram–Schmidt in float64). */
    private static double residualOutsideSpan(float[] x, int r, int d, float[] dirs, boolean[] active, int m) {
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = x[r * d + j];
        }
        java.util.List<double[]> basis = new java.util.ArrayList<>();
        for (int f = 0; f < m; f++) {
            if (!active[r * m + f]) {
                continue;
            }
            double[] u = new double[d];
            for (int j = 0; j < d; j++) {
                u[j] = dirs[f * d + j];
            }
            for (double[] q : basis) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += u[j] * q[j];
                }
                for (int j = 0; j < d; j++) {
                    u[j] -= dot * q[j];
                }
            }
            double n = 0;
            for (double c : u) {
                n += c * c;
            }
            if (n > 1e-10) {
                n = Math.sqrt(n);
                for (int j = 0; j < d; j++) {
                    u[j] /= n;
                }
                basis.add(u);
            }
        }
        for (double[] q : basis) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
                dot += v[j] * q[j];
            }
            for (int j = 0; j < d; j++) {
                v[j] -= dot * q[j];
            }
        }
        double n = 0;
        for (double c : v) {
            n += c * c;
        }
        return Math.sqrt(n);
    }
}
