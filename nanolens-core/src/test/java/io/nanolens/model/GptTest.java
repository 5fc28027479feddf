package io.nanolens.model;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptTest {
    private static final GptConfig C = TestGpts.SMALL;
    private static final int B = 2;
    private static final int T = 7;

    private static int[] targets() {
        int[] targets = TestGpts.ids(12, B * T, C.vocabSize());
        targets[3] = -1;
        targets[B * T - 1] = -1;
        return targets;
    }

    @Test
    void forwardMatchesFloat64Reference() {
        Gpt gpt = TestGpts.model(C, 1);
        int[] tokens = TestGpts.ids(11, B * T, C.vocabSize());
        GptState state = GptState.forTraining(C, B, T);
        float loss = gpt.forward(state, tokens, targets());
        GptReference.Result ref = new GptReference(C, gpt.parameters()).forward(tokens, B, T, targets());
        assertEquals(ref.loss(), loss, 1e-5 * Math.abs(ref.loss()));
        for (int r = 0; r < B * T; r++) {
            for (int j = 0; j < C.vocabSize(); j++) {
                float logit = state.logits()[r * C.vocabSize() + j];
                assertEquals(ref.logits()[r][j], logit, 2e-5 * 15, "logit " + r + "," + j);
            }
        }
    }

    /** T = 7 as in the brief; T = 19 also runs the vector loops of attention (8 lanes) with a scalar tail. */
    @ParameterizedTest
    @ValueSource(ints = {7, 19})
    void gradientsMatchFloat64FiniteDifferences(int time) {
        Gpt gpt = TestGpts.model(C, 2);
        int[] tokens = TestGpts.ids(13, B * time, C.vocabSize());
        int[] targets = TestGpts.ids(17, B * time, C.vocabSize());
        targets[3] = -1;
        GptState state = GptState.forTraining(C, B, time);
        gpt.zeroGradients();
        gpt.forward(state, tokens, targets);
        gpt.backward(state);
        GptReference ref = new GptReference(C, gpt.parameters());
        SplittableRandom random = new SplittableRandom(14);
        for (Map.Entry<String, Tensor> e : gpt.gradients().entrySet()) {
            float[] grad = e.getValue().data();
            double[] param = ref.p.get(e.getKey());
            double scale = TestGpts.maxAbs(grad, grad.length);
            assertTrue(scale > 1e-4, e.getKey() + " gets no gradient");
            for (int sample = 0; sample < 8; sample++) {
                int i = sample == 0 ? argmaxAbs(grad) : random.nextInt(grad.length);
                double fd = centralDifference(ref, param, i, tokens, time, targets);
                assertEquals(fd, grad[i], 1e-3 * Math.abs(fd) + 1e-4 * scale, e.getKey() + "[" + i + "]");
            }
        }
    }

    @Test
    void backwardAddsToExistingGradients() {
        Gpt gpt = TestGpts.model(C, 3);
        int[] tokens = TestGpts.ids(15, B * T, C.vocabSize());
        GptState state = GptState.forTraining(C, B, T);
        gpt.forward(state, tokens, targets());
        gpt.backward(state);
        float[] once = gpt.gradients().get("transformer.h.1.attn.c_k.weight").data().clone();
        gpt.forward(state, tokens, targets());
        gpt.backward(state);
        float[] twice = gpt.gradients().get("transformer.h.1.attn.c_k.weight").data();
        for (int i = 0; i < once.length; i++) {
            assertEquals(2 * once[i], twice[i], 1e-6f + 1e-5f * Math.abs(once[i]));
        }
        gpt.zeroGradients();
        assertEquals(0f, TestGpts.maxAbs(twice, twice.length));
    }

    @Test
    void backwardWithoutForwardIsRejected() {
        Gpt gpt = TestGpts.model(C, 3);
        GptState state = GptState.forTraining(C, B, T);
        assertThrows(IllegalStateException.class, () -> gpt.backward(state));
        gpt.forward(state, TestGpts.ids(1, B * T, C.vocabSize()), B, T, null, null);
        assertThrows(IllegalStateException.class, () -> gpt.backward(state));
    }

    @Test
    void smallerPassInBiggerStateMatchesReference() {
        Gpt gpt = TestGpts.model(C, 4);
        int[] tokens = TestGpts.ids(16, 3, C.vocabSize());
        GptState state = GptState.forInference(C, 4, 8);
        float loss = gpt.forward(state, tokens, 1, 3, new int[] {5, -1, 7}, null);
        GptReference.Result ref = new GptReference(C, gpt.parameters()).forward(tokens, 1, 3, new int[] {5, -1, 7});
        assertEquals(ref.loss(), loss, 1e-5 * ref.loss());
        assertEquals(ref.logits()[2][4], state.logits()[2 * C.vocabSize() + 4], 3e-4);
    }

    @Test
    void initialisationFollowsNanochat() {
        GptConfig config = new GptConfig(16, 50, 2, 2, 1, 64);
        Gpt gpt = new Gpt(config, 7);
        Map<String, Tensor> p = gpt.parameters();
        assertEquals(Gpt.parameterShapes(config).keySet(), p.keySet());
        assertEquals(0f, TestGpts.maxAbs(p.get("lm_head.weight").data(), 50 * 64));
        assertEquals(0f, TestGpts.maxAbs(p.get("transformer.h.1.attn.c_proj.weight").data(), 64 * 64));
        assertEquals(0f, TestGpts.maxAbs(p.get("transformer.h.0.mlp.c_proj.weight").data(), 64 * 256));
        assertEquals(1.0, std(p.get("transformer.wte.weight")), 0.05);
        assertEquals(1 / 8.0, std(p.get("transformer.h.0.attn.c_q.weight")), 0.01);
        assertEquals(1 / 8.0 * Math.sqrt(32 / 64.0), std(p.get("transformer.h.0.attn.c_k.weight")), 0.01);
        assertEquals(1 / 8.0, std(p.get("transformer.h.1.mlp.c_fc.weight")), 0.01);
        long count = p.values().stream().mapToLong(Tensor::size).sum();
        assertEquals(config.parameterCount(), count);
    }

    @Test
    void sameSeedGivesSameParametersAndOtherSeedDoesNot() {
        Map<String, Tensor> a = new Gpt(C, 5).parameters();
        Map<String, Tensor> b = new Gpt(C, 5).parameters();
        Map<String, Tensor> other = new Gpt(C, 6).parameters();
        a.forEach((name, t) -> assertArrayEquals(t.data(), b.get(name).data(), name));
        assertTrue(!a.get("transformer.h.0.attn.c_v.weight").equals(other.get("transformer.h.0.attn.c_v.weight")));
    }

    @Test
    void ofReusesTensorsAndRejectsWrongShapes() {
        Gpt gpt = TestGpts.model(C, 8);
        Gpt same = Gpt.of(C, gpt.parameters());
        assertTrue(same.parameters().get("lm_head.weight") == gpt.parameters().get("lm_head.weight"));
        Map<String, Tensor> wrong = new java.util.LinkedHashMap<>(gpt.parameters());
        wrong.put("transformer.h.0.attn.c_k.weight", Tensor.zeros(16, 16));
        NanolensException e = assertThrows(NanolensException.class, () -> Gpt.of(C, wrong));
        assertTrue(e.getMessage().contains("[8, 16]"), e.getMessage());
        wrong.remove("transformer.h.0.attn.c_k.weight");
        assertThrows(NanolensException.class, () -> Gpt.of(C, wrong));
    }

    @Test
    void outOfVocabularyTokenIsRejected() {
        Gpt gpt = TestGpts.model(C, 9);
        GptState state = GptState.forInference(C, 1, 4);
        NanolensException e = assertThrows(NanolensException.class,
                () -> gpt.forward(state, new int[] {1, 2, 23, 0}, 1, 4, null, null));
        assertTrue(e.getMessage().contains("23"), e.getMessage());
        assertThrows(NanolensException.class, () -> gpt.forward(state, new int[] {1, 2}, 1, 4, null, null));
    }

    private static double centralDifference(GptReference ref, double[] param, int i, int[] tokens, int time,
                                            int[] targets) {
        double h = 1e-5;
        double saved = param[i];
        param[i] = saved + h;
        double plus = ref.forward(tokens, B, time, targets).loss();
        param[i] = saved - h;
        double minus = ref.forward(tokens, B, time, targets).loss();
        param[i] = saved;
        return (plus - minus) / (2 * h);
    }

    private static int argmaxAbs(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            best = Math.abs(x[i]) > Math.abs(x[best]) ? i : best;
        }
        return best;
    }

    private static double std(Tensor t) {
        double sum = 0;
        for (float v : t.data()) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum / t.size());
    }
}
