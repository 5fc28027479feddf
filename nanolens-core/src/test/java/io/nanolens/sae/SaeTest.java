package io.nanolens.sae;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties every SAE architecture must have: inference against the float64 reference, shapes, k, checks. */
class SaeTest {
    private static final int ROWS = 7;
    private static final double THRESHOLD = 0.25;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void encodeMatchesTheFloat64Reference(Architecture architecture) {
        SaeConfig config = TestSaes.small(architecture, true);
        Sae sae = withThreshold(TestSaes.random(config, 40), THRESHOLD);
        float[] x = TestSaes.gaussian(41, ROWS * config.dIn());
        double[] want = new SaeReference(config).encode(SaeReference.toDouble(sae.parameters()),
                SaeReference.toDouble(x), ROWS, THRESHOLD);
        float[] f = sae.encode(x, ROWS);
        SaeGradientTest.assertClose(want, f, architecture + " latents");
        long zeros = IntStream.range(0, f.length).filter(i -> f[i] == 0).count();
        assertTrue(zeros > 0 && zeros < f.length, "the test input must switch some latents on and some off");
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void forwardIsDecodeOfEncode(Architecture architecture) {
        SaeConfig config = TestSaes.small(architecture, false);
        Sae sae = withThreshold(TestSaes.random(config, 42), THRESHOLD);
        float[] x = TestSaes.gaussian(43, ROWS * config.dIn());
        float[] viaLatents = sae.decode(sae.encode(x, ROWS), ROWS);
        assertEquals(ROWS * config.dIn(), viaLatents.length);
        SaeGradientTest.assertClose(SaeReference.toDouble(viaLatents), sae.forward(x, ROWS), "forward");
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"TOP_K", "BATCH_TOP_K", "MATRYOSHKA"})
    void trainingKeepsKLatentsPerRowOrOnAverage(Architecture architecture) {
        SaeConfig config = TestSaes.small(architecture, true);
        Sae sae = TestSaes.random(config, 44);
        float[] x = TestSaes.gaussian(45, ROWS * config.dIn());
        SaeState state = sae.newState(ROWS);
        sae.loss(state, x, ROWS, 0f, null);
        int[] counts = new int[config.dSae()];
        long total = state.addFirings(counts);
        long positive = Arrays.stream(kept(config, sae, x)).filter(v -> v > 0).count();
        assertEquals(positive, total, "active latents");
        assertTrue(total <= (long) ROWS * config.k());
        if (architecture == Architecture.TOP_K) {
            float[] f = sae.encode(x, ROWS);
            for (int r = 0; r < ROWS; r++) {
                int active = 0;
                for (int i = 0; i < config.dSae(); i++) {
                    active += f[r * config.dSae() + i] != 0 ? 1 : 0;
                }
                assertTrue(active <= config.k(), "row " + r + " has " + active + " active latents");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"BATCH_TOP_K", "MATRYOSHKA"})
    void backwardMovesTheInferenceThresholdTowardsTheSmallestKeptActivation(Architecture architecture) {
        SaeConfig config = TestSaes.small(architecture, true);
        Sae sae = withThreshold(TestSaes.random(config, 46), THRESHOLD);
        float[] x = TestSaes.gaussian(47, ROWS * config.dIn());
        SaeState state = sae.newState(ROWS);
        sae.loss(state, x, ROWS, 0f, null);
        sae.backward(state);
        double min = Arrays.stream(kept(config, sae, x)).filter(v -> v > 0).min().orElseThrow();
        double rate = config.thresholdRate();
        assertEquals((1 - rate) * THRESHOLD + rate * min, sae.batchThreshold(), 1e-6);
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"BATCH_TOP_K", "MATRYOSHKA"})
    void firstStepOfAFreshSaeSetsTheThresholdToTheSmallestKeptActivationThenAverages(Architecture architecture) {
        SaeConfig config = TestSaes.small(architecture, true);
        Sae sae = TestSaes.random(config, 46);
        assertEquals(0.0, sae.batchThreshold(), "a fresh SAE has learned no threshold");
        float[] x = TestSaes.gaussian(47, ROWS * config.dIn());
        SaeState state = sae.newState(ROWS);
        sae.loss(state, x, ROWS, 0f, null);
        sae.backward(state);
        double first = Arrays.stream(kept(config, sae, x)).filter(v -> v > 0).min().orElseThrow();
        assertEquals(first, sae.batchThreshold(), 1e-6, "the first batch's smallest kept value, not 1 % of it");
        float[] y = TestSaes.gaussian(48, ROWS * config.dIn());
        sae.loss(state, y, ROWS, 0f, null);
        sae.backward(state);
        double second = Arrays.stream(kept(config, sae, y)).filter(v -> v > 0).min().orElseThrow();
        double rate = config.thresholdRate();
        assertEquals((1 - rate) * first + rate * second, sae.batchThreshold(), 1e-6);
    }

    @Test
    void createStartsAsSaeLensDoes() {
        for (Architecture architecture : Architecture.values()) {
            SaeConfig config = TestSaes.small(architecture, true);
            Sae sae = Sae.create(config, 7);
            float[] wDec = sae.parameters().get("wDec").data();
            int d = config.dIn();
            for (int i = 0; i < config.dSae(); i++) {
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    norm += wDec[i * d + j] * wDec[i * d + j];
                }
                assertEquals(0.1, Math.sqrt(norm), 1e-6, "decoder row norm");
            }
            assertArrayEquals(wDec, sae.parameters().get("wEnc").data(), "W_enc = W_decᵀ");
            assertTrue(sae.parameters().get("bDec").equals(Tensor.zeros(d)));
            if (architecture == Architecture.JUMP_RELU) {
                assertEquals(config.initialThreshold(),
                        Math.exp(sae.parameters().get("logThreshold").data()[0]), 1e-7);
            }
        }
    }

    @Test
    void parametersOfTheWrongShapeOrNameAreRejected() {
        SaeConfig config = TestSaes.small(Architecture.TOP_K, true);
        Map<String, Tensor> p = new LinkedHashMap<>(TestSaes.random(config, 1).parameters());
        p.put("bEnc", Tensor.zeros(config.dSae() + 1));
        NanolensException shape = assertThrows(NanolensException.class, () -> Sae.of(config, p));
        assertTrue(shape.getMessage().contains("'bEnc' has shape [13]"), shape.getMessage());
        p.remove("bEnc");
        NanolensException missing = assertThrows(NanolensException.class, () -> Sae.of(config, p));
        assertTrue(missing.getMessage().contains("'bEnc' is missing"), missing.getMessage());
        p.put("bEnc", Tensor.zeros(config.dSae()));
        p.put("threshold", Tensor.zeros(config.dSae()));
        NanolensException extra = assertThrows(NanolensException.class, () -> Sae.of(config, p));
        assertTrue(extra.getMessage().contains("unexpected SAE parameters [threshold]"), extra.getMessage());
    }

    @Test
    void onlyBatchTopKFamilyHasABatchThreshold() {
        Sae relu = TestSaes.random(TestSaes.small(Architecture.RELU, true), 1);
        assertTrue(Double.isNaN(relu.batchThreshold()));
        assertThrows(NanolensException.class, () -> relu.setBatchThreshold(0.5));
        Sae batch = TestSaes.random(TestSaes.small(Architecture.BATCH_TOP_K, true), 1);
        assertThrows(NanolensException.class, () -> batch.setBatchThreshold(-1));
        batch.setBatchThreshold(0.5);
        assertEquals(0.5, batch.batchThreshold());
    }

    @Test
    void backwardNeedsALossOnTheSameKindOfState() {
        SaeConfig config = TestSaes.small(Architecture.RELU, true);
        Sae sae = TestSaes.random(config, 2);
        SaeState state = sae.newState(ROWS);
        assertThrows(IllegalStateException.class, () -> sae.backward(state));
        Sae other = TestSaes.random(TestSaes.small(Architecture.GATED, true), 2);
        assertThrows(IllegalArgumentException.class, () -> other.backward(state));
        float[] x = TestSaes.gaussian(3, (ROWS + 1) * config.dIn());
        assertThrows(IllegalArgumentException.class, () -> sae.loss(state, x, ROWS + 1, 0f, null));
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"TOP_K", "BATCH_TOP_K", "MATRYOSHKA"})
    void auxKIsZeroWithoutDeadLatents(Architecture architecture) {
        SaeConfig config = TestSaes.small(architecture, true);
        Sae sae = TestSaes.random(config, 4);
        float[] x = TestSaes.gaussian(5, ROWS * config.dIn());
        SaeState state = sae.newState(ROWS);
        assertEquals(0.0, sae.loss(state, x, ROWS, 0f, new boolean[config.dSae()]).auxiliary());
        assertTrue(sae.loss(state, x, ROWS, 0f, TestSaes.dead(config.dSae(), 0)).auxiliary() > 0);
    }

    /** The reference's kept activations of a TopK-family training step on x. */
    private static double[] kept(SaeConfig config, Sae sae, float[] x) {
        SaeReference reference = new SaeReference(config);
        Map<String, double[]> p = SaeReference.toDouble(sae.parameters());
        double[] saeIn = reference.center(p, SaeReference.toDouble(x), ROWS);
        return reference.keep(reference.pre(p, saeIn, ROWS, p.get("bEnc")), ROWS);
    }

    /** The SAE with its BatchTopK / Matryoshka inference threshold set; others unchanged. */
    static Sae withThreshold(Sae sae, double threshold) {
        if (sae.architecture() == Architecture.BATCH_TOP_K || sae.architecture() == Architecture.MATRYOSHKA) {
            sae.setBatchThreshold(threshold);
        }
        return sae;
    }
}
