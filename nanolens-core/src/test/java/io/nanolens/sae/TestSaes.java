package io.nanolens.sae;

import io.nanolens.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small seeded SAEs and inputs for the SAE tests: every parameter random, so no term of a loss vanishes. */
final class TestSaes {
    private TestSaes() {
    }

    /** A small config of the architecture: d = 6, m = 12, k = 3, k_aux = 3, non-default coefficients. */
    static SaeConfig small(Architecture architecture, boolean applyBDec) {
        SaeConfig c = SaeConfig.of(architecture, 6, 12).withK(3).withAux(0.7f, 3).withJumpRelu(0.4f, 0.3f)
                .withApplyBDecToInput(applyBDec);
        return architecture == Architecture.MATRYOSHKA ? c.withPrefixes(List.of(3, 7, 12)) : c;
    }

    /** An SAE whose every parameter is random: weights N(0, 0.4²), biases N(0, 0.2²), thresholds U(0.2, 0.7). */
    static Sae random(SaeConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        Sae.parameterShapes(config).forEach((name, shape) -> {
            Tensor t = Tensor.randn(random.nextLong(), name.startsWith("w") ? 0.4f : 0.2f, shape);
            if (name.equals("logThreshold")) {
                for (int i = 0; i < t.size(); i++) {
                    t.data()[i] = (float) Math.log(0.2 + 0.5 * random.nextDouble());
                }
            }
            p.put(name, t);
        });
        return Sae.of(config, p);
    }

    static float[] gaussian(long seed, int n) {
        return Tensor.randn(seed, 1f, n).data();
    }

    /** A dead mask with the given latents dead. */
    static boolean[] dead(int m, int... latents) {
        boolean[] dead = new boolean[m];
        for (int i : latents) {
            dead[i] = true;
        }
        return dead;
    }
}
