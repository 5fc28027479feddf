package io.nanolens.model;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HooksTest {
    private static final GptConfig C = TestGpts.SMALL;
    private static final int B = 2;
    private static final int T = 7;
    private static final int N = B * T;

    @Test
    void readHooksSeeTheReferenceActivations() {
        Gpt gpt = TestGpts.model(C, 21);
        int[] tokens = TestGpts.ids(22, N, C.vocabSize());
        Hooks hooks = new Hooks();
        List<HookPoint> all = HookPoint.all(C);
        Map<HookPoint, Tensor> cache = hooks.cache(all.toArray(HookPoint[]::new));
        gpt.forward(GptState.forInference(C, B, T), tokens, B, T, null, hooks);
        GptReference.Result ref = new GptReference(C, gpt.parameters()).forward(tokens, B, T, null);
        assertEquals(6 * C.nLayer(), cache.size());
        for (HookPoint point : all) {
            Tensor act = cache.get(point);
            assertArrayEquals(new int[] {N, point.width(C)}, act.shape(), point.name());
            double[][] expected = ref.activations().get(point.name());
            for (int r = 0; r < N; r++) {
                for (int j = 0; j < point.width(C); j++) {
                    assertEquals(expected[r][j], act.get(r, j), 1e-4 * (1 + Math.abs(expected[r][j])), point + " " + r);
                }
            }
        }
    }

    @Test
    void addingZeroChangesNothing() {
        Gpt gpt = TestGpts.model(C, 23);
        int[] tokens = TestGpts.ids(24, N, C.vocabSize());
        GptState state = GptState.forInference(C, B, T);
        gpt.forward(state, tokens, B, T, null, null);
        float[] plain = Arrays.copyOf(state.logits(), N * C.vocabSize());
        Hooks hooks = new Hooks();
        for (HookPoint point : HookPoint.all(C)) {
            hooks.add(point, Hook.addToEveryRow(new float[point.width(C)], 1f));
        }
        gpt.forward(state, tokens, B, T, null, hooks);
        assertArrayEquals(plain, Arrays.copyOf(state.logits(), N * C.vocabSize()));
    }

    @Test
    void zeroAblatingTheLastResidualZeroesEveryLogit() {
        Gpt gpt = TestGpts.model(C, 25);
        GptState state = GptState.forInference(C, B, T);
        Hooks hooks = new Hooks().add(HookPoint.parse("blocks.1.hook_resid_post", C), Hook.zeroAblate());
        gpt.forward(state, TestGpts.ids(26, N, C.vocabSize()), B, T, null, hooks);
        assertEquals(0f, TestGpts.maxAbs(state.logits(), N * C.vocabSize()));
    }

    @Test
    void ablatingTheLastMlpMatchesTheReferenceWithoutIt() {
        Gpt gpt = TestGpts.model(C, 27);
        int[] tokens = TestGpts.ids(28, N, C.vocabSize());
        GptState state = GptState.forInference(C, B, T);
        Hooks hooks = new Hooks().add(new HookPoint(1, HookPoint.Kind.MLP_OUT), Hook.zeroAblate());
        gpt.forward(state, tokens, B, T, null, hooks);
        GptReference ref = new GptReference(C, gpt.parameters());
        Arrays.fill(ref.p.get("transformer.h.1.mlp.c_proj.weight"), 0);
        double[][] expected = ref.forward(tokens, B, T, null).logits();
        for (int r = 0; r < N; r++) {
            for (int j = 0; j < C.vocabSize(); j++) {
                assertEquals(expected[r][j], state.logits()[r * C.vocabSize() + j], 3e-4);
            }
        }
    }

    @Test
    void writesAtResidPostAreSeenByTheNextResidPre() {
        Gpt gpt = TestGpts.model(C, 29);
        HookPoint post = new HookPoint(0, HookPoint.Kind.RESID_POST);
        HookPoint pre = new HookPoint(1, HookPoint.Kind.RESID_PRE);
        Hooks hooks = new Hooks().add(post, (p, act, rows, width, start) -> Arrays.fill(act, 0, rows * width, 0.5f));
        Map<HookPoint, Tensor> cache = hooks.cache(pre);
        gpt.forward(GptState.forTraining(C, B, T), TestGpts.ids(30, N, C.vocabSize()), B, T, null, hooks);
        for (float v : cache.get(pre).data()) {
            assertEquals(0.5f, v);
        }
    }

    @Test
    void forwardToReturnsTheActivationAndSkipsLaterHooks() {
        Gpt gpt = TestGpts.model(C, 31);
        int[] tokens = TestGpts.ids(32, N, C.vocabSize());
        HookPoint stop = HookPoint.parse("blocks.0.mlp.hook_post", C);
        Hooks full = new Hooks();
        Map<HookPoint, Tensor> expected = full.cache(stop);
        gpt.forward(GptState.forInference(C, B, T), tokens, B, T, null, full);
        boolean[] later = new boolean[1];
        Hooks hooks = new Hooks().add(new HookPoint(0, HookPoint.Kind.MLP_OUT), (p, a, r, w, s) -> later[0] = true);
        float[] act = gpt.forwardTo(GptState.forInference(C, B, T), tokens, B, T, stop, hooks);
        assertArrayEquals(expected.get(stop).data(), Arrays.copyOf(act, N * C.mlpDim()));
        assertFalse(later[0]);
    }

    @Test
    void hookPointNamesRoundTrip() {
        for (HookPoint point : HookPoint.all(C)) {
            assertEquals(point, HookPoint.parse(point.name(), C));
        }
        assertEquals("blocks.1.mlp.hook_post", new HookPoint(1, HookPoint.Kind.MLP_POST).name());
        assertEquals(4 * 16, HookPoint.parse("blocks.0.mlp.hook_post", C).width(C));
    }

    @Test
    void unknownHookPointNamesTheValidOnes() {
        String[] names = {"blocks.2.hook_resid_pre", "blocks.0.hook_resid", "resid_pre", "blocks.-1.hook_mlp_out"};
        for (String bad : names) {
            NanolensException e = assertThrows(NanolensException.class, () -> HookPoint.parse(bad, C));
            assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("blocks.{L}.hook_resid_post")
                    && e.getMessage().contains("0..1"), e.getMessage());
        }
    }

    @Test
    void secondHookAtAPointRunsAfterTheFirst() {
        HookPoint point = new HookPoint(0, HookPoint.Kind.ATTN_OUT);
        StringBuilder order = new StringBuilder();
        Hooks hooks = new Hooks()
                .add(point, (p, a, r, w, s) -> order.append('a'))
                .add(point, (p, a, r, w, s) -> order.append('b'));
        hooks.get(point).apply(point, new float[0], 0, 0, 0);
        assertEquals("ab", order.toString());
    }
}
