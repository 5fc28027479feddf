package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorMathTest {
    private static final int L = Simd.F.length();

    private static float[] exp(float[] x) {
        float[] out = new float[L];
        VectorMath.exp(FloatVector.fromArray(Simd.F, x, 0)).intoArray(out, 0);
        return out;
    }

    @Test
    void expIsWithinTwoUlpOfMathExpAcrossTheFloatRange() {
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[L];
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < L; i++) {
                x[i] = (float) (round % 2 == 0 ? random.nextDouble(-87, 88) : random.nextDouble(-2, 2));
            }
            float[] y = exp(x);
            for (int i = 0; i < L; i++) {
                float expected = (float) Math.exp(x[i]);
                assertTrue(Math.abs(y[i] - expected) <= 2 * Math.ulp(expected), "exp(" + x[i] + ") = " + y[i]
                        + ", Math.exp gives " + expected);
            }
        }
    }

    @Test
    void expHandlesZeroTheEndsOfTheRangeAndNaN() {
        float[] x = new float[L];
        float[] special = {0f, -0f, Float.NEGATIVE_INFINITY, -200f, 100f, Float.POSITIVE_INFINITY, Float.NaN, -100f};
        System.arraycopy(special, 0, x, 0, Math.min(L, special.length));
        float[] y = exp(x);
        float[] expected = {1f, 1f, 0f, 0f, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN,
                (float) Math.exp(-100)};
        for (int i = 0; i < Math.min(L, special.length); i++) {
            if (i == 7) {
                assertEquals(expected[i], y[i], Math.ulp(Float.MIN_NORMAL), "subnormal exp(-100)");
            } else {
                assertEquals(expected[i], y[i], "exp(" + x[i] + ")");
            }
        }
    }

    @Test
    void sumAddsTheLanesInAFixedTreeOrder() {
        SplittableRandom random = new SplittableRandom(2);
        float[] x = new float[L];
        for (int round = 0; round < 1000; round++) {
            double exact = 0;
            for (int i = 0; i < L; i++) {
                x[i] = (float) (random.nextDouble(-1, 1) * Math.pow(10, random.nextInt(-4, 5)));
                exact += x[i];
            }
            float[] level = x.clone();
            for (int width = L / 2; width >= 1; width /= 2) {
                for (int i = 0; i < width; i++) {
                    level[i] = level[i] + level[i + width];
                }
            }
            float sum = VectorMath.sum(FloatVector.fromArray(Simd.F, x, 0));
            assertEquals(level[0], sum, "tree order");
            assertEquals(exact, sum, 1e-5 * L * 1e4);
        }
    }
}
