package io.nanolens.sae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GeometricMedianTest {

    @Test
    void inOneDimensionItIsTheOrdinaryMedian() {
        float[] x = {5, -3, 100, 2, 7, 1, -40};
        float[] median = GeometricMedian.of(x, 7, 1, 200);
        assertEquals(2, median[0], 1e-3);
    }

    @Test
    void unitVectorsToTheRowsSumToZeroAtTheMedian() {
        SplittableRandom random = new SplittableRandom(3);
        int rows = 301;
        int d = 5;
        float[] x = new float[rows * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() + (i % d));
        }
        float[] y = GeometricMedian.of(x, rows, d, 300);
        // The median minimises Σ‖x_r − y‖, whose gradient is −Σ (x_r − y)/‖x_r − y‖.
        double[] grad = new double[d];
        for (int r = 0; r < rows; r++) {
            double dist = 0;
            for (int j = 0; j < d; j++) {
                dist += Math.pow(x[r * d + j] - y[j], 2);
            }
            dist = Math.sqrt(dist);
            for (int j = 0; j < d; j++) {
                grad[j] += (x[r * d + j] - y[j]) / dist;
            }
        }
        for (int j = 0; j < d; j++) {
            assertEquals(0, grad[j] / rows, 1e-3, "gradient component " + j);
        }
    }

    @Test
    void aFarOutlierMovesTheMedianFarLessThanTheMean() {
        SplittableRandom random = new SplittableRandom(4);
        int rows = 100;
        int d = 3;
        float[] x = new float[rows * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        x[0] = 1e4f;
        float[] y = GeometricMedian.of(x, rows, d, GeometricMedian.DEFAULT_ITERATIONS);
        assertTrue(Math.abs(y[0]) < 1, "median moved to " + y[0] + ", the mean is near 100");
    }

    @Test
    void noRowsIsRefused() {
        assertThrows(NanolensException.class, () -> GeometricMedian.of(new float[0], 0, 3, 5));
    }
}
