package io.nanolens.sae;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureDensityTest {

    /** Firing fractions counted row by row, one encode per row. */
    private static float[] naive(Sae sae, float[] x, int rows) {
        int d = sae.dIn();
        double[] counts = new double[sae.dSae()];
        for (int r = 0; r < rows; r++) {
            float[] f = sae.encode(Arrays.copyOfRange(x, r * d, (r + 1) * d), 1);
            for (int i = 0; i < f.length; i++) {
                counts[i] += f[i] > 0 ? 1 : 0;
            }
        }
        float[] density = new float[counts.length];
        for (int i = 0; i < counts.length; i++) {
            density[i] = (float) (counts[i] / rows);
        }
        return density;
    }

    @Test
    void densitiesOverMoreRowsThanOneChunkMatchCountingRowByRow() {
        Sae sae = TestSaes.random(TestSaes.small(Architecture.RELU, true), 8);
        int rows = 2500;
        float[] x = TestSaes.gaussian(9, rows * sae.dIn());
        float[] density = FeatureDensity.of(sae, x, rows);
        assertArrayEquals(naive(sae, x, rows), density, 1e-6f);
        assertTrue(Arrays.stream(toDouble(density)).anyMatch(p -> p > 0 && p < 1), "densities vary");
    }

    @Test
    void topKFiresAtMostKLatentsPerRowOnAverage() {
        Sae sae = TestSaes.random(TestSaes.small(Architecture.TOP_K, true), 4);
        int rows = 300;
        float[] density = FeatureDensity.of(sae, TestSaes.gaussian(2, rows * sae.dIn()), rows);
        double sum = Arrays.stream(toDouble(density)).sum();
        assertTrue(sum <= sae.config().k() + 1e-5, "mean L0 " + sum);
    }

    @Test
    void noRowsGiveZeroDensities() {
        Sae sae = TestSaes.random(TestSaes.small(Architecture.TOP_K, true), 4);
        assertEquals(0, Arrays.stream(toDouble(FeatureDensity.of(sae, new float[0], 0))).sum());
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
