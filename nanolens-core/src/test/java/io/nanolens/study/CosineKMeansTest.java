package io.nanolens.study;

import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CosineKMeansTest {

    /** n unit rows of width d drawn around {@code groups} random unit centres; truth[i] is row i's centre. */
    private static float[] blobs(int groups, int perGroup, int d, double noise, long seed, int[] truth) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] centres = gaussian(groups, d, random);
        float[] rows = new float[groups * perGroup * d];
        for (int i = 0; i < groups * perGroup; i++) {
            truth[i] = i % groups;
            for (int c = 0; c < d; c++) {
                rows[i * d + c] = (float) (centres[truth[i] * d + c] + noise * random.nextGaussian());
            }
        }
        return Tensor.unitRows(rows, groups * perGroup, d);
    }

    private static float[] gaussian(int n, int d, SplittableRandom random) {
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return Tensor.unitRows(x, n, d);
    }

    @Test
    void wellSeparatedGroupsAreRecoveredAsAPartition() {
        int[] truth = new int[5 * 40];
        float[] unit = blobs(5, 40, 16, 0.05, 3, truth);
        CosineKMeans.Result r = CosineKMeans.fit(unit, truth.length, 16, 5, 9, 100);
        for (int i = 0; i < truth.length; i++) {
            for (int j = 0; j < truth.length; j++) {
                assertEquals(truth[i] == truth[j], r.assignment()[i] == r.assignment()[j], i + " and " + j);
            }
        }
        assertTrue(r.meanCosine() > 0.95, "tight groups: " + r.meanCosine());
    }

    @Test
    void atConvergenceEveryPointSitsAtItsMostSimilarCentroidAndCentroidsAreUnitMeans() {
        int n = 300;
        int d = 8;
        int k = 7;
        float[] unit = gaussian(n, d, new SplittableRandom(5));
        CosineKMeans.Result r = CosineKMeans.fit(unit, n, d, k, 11, 1000);
        assertTrue(r.iterations() < 1000, "should converge");
        double total = 0;
        for (int i = 0; i < n; i++) {
            double own = dot(unit, i, r.centroids(), r.assignment()[i], d);
            for (int c = 0; c < k; c++) {
                assertTrue(own >= dot(unit, i, r.centroids(), c, d) - 1e-6, "point " + i + " is nearer to " + c);
            }
            total += own;
        }
        assertEquals(total / n, r.meanCosine(), 1e-5);
        for (int c = 0; c < k; c++) {
            double[] mean = new double[d];
            for (int i = 0; i < n; i++) {
                if (r.assignment()[i] == c) {
                    for (int j = 0; j < d; j++) {
                        mean[j] += unit[i * d + j];
                    }
                }
            }
            double norm = Math.sqrt(Arrays.stream(mean).map(v -> v * v).sum());
            assertTrue(r.size(c) > 0, "cluster " + c + " is empty");
            for (int j = 0; j < d; j++) {
                assertEquals(mean[j] / norm, r.centroids()[c * d + j], 1e-5, "centroid " + c);
            }
        }
    }

    @Test
    void asManyClustersAsPointsGivesEveryPointItsOwn() {
        float[] unit = gaussian(12, 4, new SplittableRandom(8));
        CosineKMeans.Result r = CosineKMeans.fit(unit, 12, 4, 12, 1, 100);
        for (int c = 0; c < 12; c++) {
            assertEquals(1, r.size(c), "cluster " + c);
        }
        assertEquals(1.0, r.meanCosine(), 1e-6);
    }

    @Test
    void theSameSeedGivesTheSameClustering() {
        float[] unit = gaussian(200, 6, new SplittableRandom(2));
        CosineKMeans.Result a = CosineKMeans.fit(unit, 200, 6, 9, 42, 100);
        CosineKMeans.Result b = CosineKMeans.fit(unit, 200, 6, 9, 42, 100);
        assertArrayEquals(a.assignment(), b.assignment());
        assertArrayEquals(a.centroids(), b.centroids());
    }

    @Test
    void moreClustersThanPointsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CosineKMeans.fit(new float[4], 2, 2, 3, 1, 10));
    }

    private static double dot(float[] a, int i, float[] b, int c, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += (double) a[i * d + j] * b[c * d + j];
        }
        return s;
    }
}
