package io.nanolens.steer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptState;
import io.nanolens.model.Hook;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Hooks;
import io.nanolens.model.Sampler;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InterpretableModelTest {
    private static final int D = 16;
    private static Gpt gpt;
    private static Tokenizer tokenizer;
    private static HookPoint hook;
    private static Sae sae;
    private static int[] tokens;

    @BeforeAll
    static void build() {
        tokenizer = Bpe.train(List.of("the red fox ran up the hill", "a blue bird sang to the fox"), 280);
        GptConfig config = new GptConfig(32, tokenizer.vocabSize(), 2, 2, 2, D);
        gpt = new Gpt(config, 5);
        // nanochat's init zeroes the head and the output projections; random weights everywhere make every
        // change to an activation reach the logits
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (Tensor t : gpt.parameters().values()) {
            float[] w = t.data();
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (0.3 * random.nextGaussian());
            }
        }
        hook = HookPoint.parse("blocks.0.hook_resid_post", config);
        sae = Sae.create(SaeConfig.of(Architecture.TOP_K, D, 48).withK(6), 9);
        // larger encoder weights than the init's 0.1-norm rows, so features fire with sizeable values
        float[] wEnc = sae.parameters().get(Sae.W_ENC).data();
        for (int i = 0; i < wEnc.length; i++) {
            wEnc[i] *= 30;
        }
        tokens = new InterpretableModel(gpt, tokenizer).withBos("the red fox sang");
    }

    private static InterpretableModel model() {
        return new InterpretableModel(gpt, tokenizer).attach("res0", sae, hook);
    }

    /** Logits with an arbitrary hook at the SAE's point, computed outside InterpretableModel. */
    private static float[] logitsWith(Hook h) {
        GptState state = GptState.forInference(gpt.config(), 1, tokens.length);
        gpt.forward(state, tokens, 1, tokens.length, null, h == null ? null : new Hooks().add(hook, h));
        return state.logits().clone();
    }

    private static float[] hookActivations() {
        Hooks hooks = new Hooks();
        Map<HookPoint, Tensor> cache = hooks.cache(hook);
        GptState state = GptState.forInference(gpt.config(), 1, tokens.length);
        gpt.forward(state, tokens, 1, tokens.length, null, hooks);
        return cache.get(hook).data();
    }

    @Test
    void trackingRecordsEachPositionsTopFeaturesAndStopsWhenClosed() {
        InterpretableModel im = model();
        float[] x = hookActivations();
        float[] f = sae.encode(x, tokens.length);
        Tracking tracking;
        try (Tracking t = im.track(3)) {
            tracking = t;
            im.forward(tokens);
        }
        List<TrackedToken> seen = tracking.tokens();
        assertEquals(tokens.length, seen.size());
        for (TrackedToken token : seen) {
            int p = token.position();
            List<Integer> expected = IntStream.range(0, 48).boxed().filter(i -> f[p * 48 + i] > 0)
                    .sorted((a, b) -> Float.compare(f[p * 48 + b], f[p * 48 + a])).limit(3).toList();
            List<TrackedToken.FeatureActivation> got = token.features().get("res0");
            assertEquals(expected, got.stream().map(TrackedToken.FeatureActivation::feature).toList(), "position " + p);
        }
        im.forward(tokens);
        assertEquals(tokens.length, tracking.tokens().size(), "a closed scope records nothing more");
    }

    @Test
    void ablatingAFeatureSubtractsItsDecoderRowAndKeepsTheErrorTerm() {
        float[] x = hookActivations();
        float[] f = sae.encode(x, tokens.length);
        int feature = IntStream.range(0, 48).filter(i -> f[48 + i] > 0).findFirst().orElseThrow();
        float[] wDec = sae.parameters().get(Sae.W_DEC).data();
        // Independent: x − f_i·W_dec[i] at every row, in float64, as a plain hook.
        float[] expected = logitsWith((p, act, rows, width, start) -> {
            float[] enc = sae.encode(act, rows);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < width; c++) {
                    act[r * width + c] = (float) (act[r * width + c] - (double) enc[r * 48 + feature] * wDec[feature * width + c]);
                }
            }
        });
        InterpretableModel im = model();
        float[] steered;
        try (Steering s = im.steer(FeatureEdit.of("res0", feature, FeatureEdit.Mode.ABLATE, 0))) {
            steered = im.forward(tokens);
        }
        assertArrayEquals(expected, steered, 1e-4f);
        assertArrayEquals(logitsWith(null), im.forward(tokens), 0f, "after the scope closes nothing is hooked");
    }

    @Test
    void scalingByOneChangesNothingWhichRequiresTheErrorTerm() {
        InterpretableModel im = model();
        float[] clean = im.forward(tokens);
        try (Steering s = im.steer(FeatureEdit.of("res0", 3, FeatureEdit.Mode.SCALE, 1f),
                FeatureEdit.of("res0", 7, FeatureEdit.Mode.ADD, 0f))) {
            assertArrayEquals(clean, im.forward(tokens), 0f);
        }
    }

    @Test
    void clampingAtLaterPositionsLeavesEarlierLogitsAlone() {
        InterpretableModel im = model();
        float[] clean = im.forward(tokens);
        int vocab = gpt.config().vocabSize();
        float[] steered;
        try (Steering s = im.steer(FeatureEdit.of("res0", 5, FeatureEdit.Mode.CLAMP, 50f).at(3, 4))) {
            steered = im.forward(tokens);
        }
        for (int i = 0; i < 3 * vocab; i++) {
            assertEquals(clean[i], steered[i], 0f, "causal: positions before 3 are unchanged");
        }
        boolean changed = false;
        for (int i = 3 * vocab; i < 4 * vocab; i++) {
            changed |= clean[i] != steered[i];
        }
        assertTrue(changed, "position 3 moves");
    }

    @Test
    void addingADecoderRowEqualsThePlainAdditionHook() {
        InterpretableModel im = model();
        float[] row = im.decoderRow("res0", 11);
        float[] expected = logitsWith(Hook.addToEveryRow(row, 4f));
        try (DirectionSteering s = im.addDirection(hook, row, 4f)) {
            assertArrayEquals(expected, im.forward(tokens), 0f);
        }
    }

    @Test
    void steeredGenerationDiffersFromTheSameSeedUnsteeredAndTrackingSeesGeneratedTokens() {
        InterpretableModel im = model();
        int[] plain = im.generate(tokens, 8, new Sampler(0f, 0, 1), id -> false);
        int[] steered;
        try (Steering s = im.steer(FeatureEdit.of("res0", 2, FeatureEdit.Mode.CLAMP, 200f));
             Tracking t = im.track(2)) {
            steered = im.generate(tokens, 8, new Sampler(0f, 0, 1), id -> false);
            assertEquals(tokens.length + 7, t.tokens().size(), "prompt positions plus each fed-back token");
            assertTrue(t.tokens().stream().allMatch(tok -> tok.features().containsKey("res0")));
        }
        assertFalse(java.util.Arrays.equals(plain, steered), "a strong clamp changes the greedy continuation");
        assertArrayEquals(plain, im.generate(tokens, 8, new Sampler(0f, 0, 1), id -> false));
    }

    @Test
    void trackingDuringCachedGenerationMatchesAFullForwardOverTheSameTokens() {
        InterpretableModel im = model();
        int[] generated;
        List<TrackedToken> tracked;
        try (Tracking t = im.track(3)) {
            generated = im.generate(tokens, 12, new Sampler(0f, 0, 1), id -> false);
            tracked = t.tokens();
        }
        // Every fed token: the prompt, then each generated token but the last.
        int[] fed = java.util.Arrays.copyOf(tokens, tokens.length + generated.length - 1);
        System.arraycopy(generated, 0, fed, tokens.length, generated.length - 1);
        List<TrackedToken> full;
        try (Tracking t = im.track(3)) {
            im.forward(fed);
            full = t.tokens();
        }
        assertEquals(fed.length, tracked.size());
        for (int p = 0; p < fed.length; p++) {
            List<TrackedToken.FeatureActivation> a = tracked.get(p).features().get("res0");
            List<TrackedToken.FeatureActivation> b = full.get(p).features().get("res0");
            assertEquals(p, tracked.get(p).position());
            assertEquals(b.getFirst().feature(), a.getFirst().feature(), "top feature at position " + p);
            assertEquals(b.getFirst().value(), a.getFirst().value(), 1e-3f * Math.abs(b.getFirst().value()),
                    "position " + p);
        }
    }

    @Test
    void mistakesAreRefusedWithClearMessages() {
        InterpretableModel im = model();
        assertThrows(NanolensException.class, () -> im.attach("res0", sae, hook));
        assertThrows(NanolensException.class, () -> im.steer(FeatureEdit.of("nope", 1, FeatureEdit.Mode.ADD, 1)));
        assertThrows(NanolensException.class, () -> im.steer(FeatureEdit.of("res0", 48, FeatureEdit.Mode.ADD, 1)));
        Sae wide = Sae.create(SaeConfig.of(Architecture.RELU, D + 1, 8), 1);
        NanolensException e = assertThrows(NanolensException.class, () -> im.attach("wide", wide, hook));
        assertTrue(e.getMessage().contains("17"), e.getMessage());
        assertThrows(NanolensException.class, () -> FeatureEdit.Mode.of("boost"));
    }
}
