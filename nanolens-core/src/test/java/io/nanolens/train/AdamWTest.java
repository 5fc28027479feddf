package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {

    /** torch.optim.AdamW's update, written out in float64 from its documentation. */
    private static final class Reference {
        final double[] p;
        final double[] m;
        final double[] v;
        int t;

        Reference(float[] init) {
            p = new double[init.length];
            for (int i = 0; i < init.length; i++) {
                p[i] = init[i];
            }
            m = new double[init.length];
            v = new double[init.length];
        }

        void step(float[] g, double lr, double wd, double b1, double b2, double eps) {
            t++;
            for (int i = 0; i < p.length; i++) {
                p[i] -= lr * wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
    }

    @Test
    void stepsMatchAFloat64ReferenceOfTorchAdamW() {
        SplittableRandom random = new SplittableRandom(3);
        Tensor a = Tensor.randn(1, 1f, 70_000);        // more than one parallel chunk
        Tensor b = Tensor.randn(2, 0.5f, 3, 5);
        Tensor ga = Tensor.zeros(a.shape());
        Tensor gb = Tensor.zeros(b.shape());
        Reference ra = new Reference(a.data());
        Reference rb = new Reference(b.data());
        AdamW adam = new AdamW(0.9f, 0.99f, 1e-8f);
        adam.add("a", a, ga, 0.01f, 0.1f);
        adam.add("b", b, gb, 0.003f, 0f);
        float[] multipliers = {0.1f, 0.5f, 1f, 1f, 0.7f, 0.2f};
        for (float mult : multipliers) {
            fill(ga.data(), random);
            fill(gb.data(), random);
            adam.step(mult);
            ra.step(ga.data(), 0.01 * mult, 0.1, 0.9, 0.99, 1e-8);
            rb.step(gb.data(), 0.003 * mult, 0, 0.9, 0.99, 1e-8);
        }
        assertClose(ra.p, a.data());
        assertClose(rb.p, b.data());
        assertEquals(multipliers.length, adam.steps());
    }

    @Test
    void loadedStateContinuesBitForBit() {
        Tensor p1 = Tensor.randn(5, 1f, 4, 8);
        Tensor p2 = p1.copy();
        Tensor g = Tensor.zeros(4, 8);
        AdamW first = new AdamW();
        first.add("w", p1, g, 0.01f, 0.01f);
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 3; i++) {
            fill(g.data(), random);
            first.step(1f);
        }
        System.arraycopy(p1.data(), 0, p2.data(), 0, p1.size());
        AdamW second = new AdamW();
        second.add("w", p2, g, 0.01f, 0.01f);
        Map<String, Tensor> saved = Map.of("w.exp_avg", first.state().get("w.exp_avg").copy(),
                "w.exp_avg_sq", first.state().get("w.exp_avg_sq").copy());
        second.load(saved, first.steps());
        fill(g.data(), random);
        first.step(0.5f);
        second.step(0.5f);
        assertArrayEquals(p1.data(), p2.data());
    }

    @Test
    void rejectsMismatchedShapesAndMissingState() {
        AdamW adam = new AdamW();
        assertThrows(NanolensException.class, () -> adam.add("w", Tensor.zeros(2, 3), Tensor.zeros(3, 2), 1f, 0f));
        adam.add("w", Tensor.zeros(2, 3), Tensor.zeros(2, 3), 1f, 0f);
        NanolensException e = assertThrows(NanolensException.class, () -> adam.load(Map.of(), 1));
        assertTrue(e.getMessage().contains("w.exp_avg"), e.getMessage());
    }

    private static void fill(float[] g, SplittableRandom random) {
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (random.nextDouble(-1, 1) * (i % 7 == 0 ? 1e-3 : 1));
        }
    }

    private static void assertClose(double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6 * (1 + Math.abs(expected[i])), "element " + i);
        }
    }
}
