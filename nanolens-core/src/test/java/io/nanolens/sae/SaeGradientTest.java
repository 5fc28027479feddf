package io.nanolens.sae;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every architecture's backward against central finite differences of an independent float64 loss
 * ({@link SaeReference}), for every entry of every parameter; JumpReLU's threshold, whose true derivative is zero
 * almost everywhere, against the straight-through formula instead.
 */
class SaeGradientTest {
    private static final int ROWS = 5;
    private static final float COEFFICIENT = 0.3f;
    // Central differences in float64: truncation ~h²·f''' ≈ 1e-12, rounding ~1e-16·|loss|/h ≈ 1e-10; the bound is
    // set by the float32 backward.
    private static final double H = 1e-6;
    private static final double TOLERANCE = 2e-4;

    static Stream<Arguments> cases() {
        return Stream.of(Architecture.values()).flatMap(a -> Stream.of(Arguments.of(a, true), Arguments.of(a, false)));
    }

    @ParameterizedTest(name = "{0}, b_dec applied to input: {1}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferencesOfTheFloat64Loss(Architecture architecture, boolean applyBDec) {
        SaeConfig config = TestSaes.small(architecture, applyBDec);
        Sae sae = TestSaes.random(config, 11 + architecture.ordinal());
        float[] x = TestSaes.gaussian(5, ROWS * config.dIn());
        boolean[] dead = TestSaes.dead(config.dSae(), 3, 8);
        SaeState state = sae.newState(ROWS + 2);
        SaeLoss loss = sae.loss(state, x, ROWS, COEFFICIENT, dead);
        sae.backward(state);

        Map<String, double[]> point = SaeReference.toDouble(sae.parameters());
        Map<String, double[]> frozen = SaeReference.toDouble(sae.parameters());
        SaeReference reference = new SaeReference(config);
        double[] xd = SaeReference.toDouble(x);
        double[] want = reference.parts(point, frozen, xd, ROWS, COEFFICIENT, dead);
        double[] got = {loss.mse(), loss.sparsity(), loss.auxiliary(), loss.prefixMse()};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), "loss part " + i + " of " + loss);
        }
        for (Map.Entry<String, double[]> e : point.entrySet()) {
            if (e.getKey().equals("logThreshold")) {
                continue;
            }
            double[] values = e.getValue();
            double[] fd = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                double saved = values[i];
                values[i] = saved + H;
                double up = reference.loss(point, frozen, xd, ROWS, COEFFICIENT, dead);
                values[i] = saved - H;
                double down = reference.loss(point, frozen, xd, ROWS, COEFFICIENT, dead);
                values[i] = saved;
                fd[i] = (up - down) / (2 * H);
            }
            assertClose(fd, sae.gradients().get(e.getKey()).data(), architecture + " " + e.getKey());
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void backwardSumsIntoTheGradientsAcrossSteps(Architecture architecture, boolean applyBDec) {
        SaeConfig config = TestSaes.small(architecture, applyBDec);
        Sae sae = TestSaes.random(config, 3);
        float[] x = TestSaes.gaussian(9, ROWS * config.dIn());
        SaeState state = sae.newState(ROWS);
        sae.loss(state, x, ROWS, COEFFICIENT, null);
        sae.backward(state);
        Map<String, float[]> once = new LinkedHashMap<>();
        sae.gradients().forEach((name, t) -> once.put(name, t.data().clone()));
        sae.loss(state, x, ROWS, COEFFICIENT, null);
        sae.backward(state);
        sae.gradients().forEach((name, t) -> {
            double[] twice = SaeReference.toDouble(once.get(name));
            Arrays.setAll(twice, i -> 2 * twice[i]);
            assertClose(twice, t.data(), name);
        });
    }

    @Test
    void jumpReluThresholdGetsTheStraightThroughPseudoGradient() {
        SaeConfig config = TestSaes.small(Architecture.JUMP_RELU, true);
        Sae sae = TestSaes.random(config, 21);
        int d = config.dIn();
        int m = config.dSae();
        float[] x = TestSaes.gaussian(22, ROWS * d);
        SaeState state = sae.newState(ROWS);
        sae.loss(state, x, ROWS, COEFFICIENT, null);
        sae.backward(state);

        SaeReference reference = new SaeReference(config);
        Map<String, double[]> p = SaeReference.toDouble(sae.parameters());
        double[] xd = SaeReference.toDouble(x);
        double[] pre = reference.pre(p, reference.center(p, xd, ROWS), ROWS, p.get("bEnc"));
        double[] xHat = reference.decode(reference.jump(p, pre, ROWS), p.get("wDec"), p.get("bDec"), ROWS);
        double eps = config.bandwidth();
        double[] want = new double[m];
        int inWindow = 0;
        for (int i = 0; i < m; i++) {
            double theta = Math.exp(p.get("logThreshold")[i]);
            double sum = 0;
            for (int r = 0; r < ROWS; r++) {
                double u = (pre[r * m + i] - theta) / eps;
                if (Math.abs(u) < 0.5) {
                    inWindow++;
                    double dLdf = 0;
                    for (int j = 0; j < d; j++) {
                        dLdf += 2.0 / ROWS * (xHat[r * d + j] - xd[r * d + j]) * p.get("wDec")[i * d + j];
                    }
                    sum += -(theta / eps) * dLdf - COEFFICIENT / (ROWS * eps);
                }
            }
            want[i] = theta * sum;
        }
        assertTrue(inWindow >= 5, "only " + inWindow + " pre-activations fall in the kernel window");
        assertClose(want, sae.gradients().get("logThreshold").data(), "logThreshold");
    }

    /** Fails with the worst element unless |got − want| ≤ TOLERANCE·(1 + |want|) everywhere. */
    static void assertClose(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        int worst = -1;
        double worstRatio = 1;
        for (int i = 0; i < want.length; i++) {
            double ratio = Math.abs(got[i] - want[i]) / (TOLERANCE * (1 + Math.abs(want[i])));
            if (!(ratio <= worstRatio)) {
                worst = i;
                worstRatio = ratio;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + got[worst] + ", want " + want[worst] + " (error "
                    + worstRatio + "× the bound)");
        }
    }
}
