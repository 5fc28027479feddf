package io.nanolens.model;

import io.nanolens.NanolensException;
import io.nanolens.io.SafeTensors;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPT-2 against the PyTorch reference of tools/gpt2_fixture.py: a tiny random GPT-2 in Hugging Face's layout and
 * the logits and activations PyTorch computed for it in float64.
 */
class Gpt2FixtureTest {
    /** Largest error allowed, relative to the largest reference value of the compared tensor. */
    private static final double TOLERANCE = 1e-4;

    static Path fixture() {
        try {
            return Path.of(Gpt2FixtureTest.class.getResource("/fixtures/gpt2-tiny/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Gpt gpt;
    private static int[] tokens;
    private static Map<String, Tensor> expected;

    @BeforeAll
    static void load() {
        gpt = GptFiles.load(fixture()).gpt();
        try (SafeTensors file = SafeTensors.open(fixture().resolve("expected.safetensors"))) {
            tokens = file.loadInts("tokens");
            expected = new LinkedHashMap<>();
            for (String name : file.names()) {
                if (!name.equals("tokens")) {
                    expected.put(name, file.load(name));
                }
            }
        }
    }

    /** max |actual − expected| / max |expected| over the first expected.length values. */
    static double relativeError(float[] expected, float[] actual) {
        double err = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            err = Math.max(err, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertTrue(scale > 0.1, "the reference is not all zeros");
        return err / scale;
    }

    private static void assertMatches(String what, float[] want, float[] got) {
        double rel = relativeError(want, got);
        assertTrue(rel <= TOLERANCE, what + " differs from PyTorch by " + rel + " relative");
    }

    private static float[] logits() {
        return expected.get("logits").data();
    }

    @Test
    void fixtureIsAGpt2OfTheConfiguredShape() {
        GptConfig c = gpt.config();
        assertEquals(GptConfig.gpt2(32, 512, 2, 4, 64, 1e-5f), c);
        assertEquals(c.parameterCount(), gpt.parameters().values().stream().mapToLong(Tensor::size).sum());
    }

    @Test
    void logitsMatchPyTorchWithin1e4Relative() {
        GptState state = GptState.forInference(gpt.config(), 1, tokens.length);
        gpt.forward(state, tokens, 1, tokens.length, null, null);
        assertMatches("logits", logits(), state.logits());
    }

    @Test
    void batchedSequencesEachMatchPyTorch() {
        int t = tokens.length;
        int[] two = new int[2 * t];
        System.arraycopy(tokens, 0, two, 0, t);
        System.arraycopy(tokens, 0, two, t, t);
        GptState state = GptState.forInference(gpt.config(), 2, t);
        gpt.forward(state, two, 2, t, null, null);
        int v = gpt.config().vocabSize();
        assertMatches("first sequence", logits(), Arrays.copyOfRange(state.logits(), 0, t * v));
        assertMatches("second sequence", logits(), Arrays.copyOfRange(state.logits(), t * v, 2 * t * v));
    }

    @Test
    void tokenByTokenKvCacheDecodingMatchesPyTorch() {
        int v = gpt.config().vocabSize();
        KvCache cache = new KvCache(gpt.config(), tokens.length);
        float[] decoded = new float[tokens.length * v];
        for (int i = 0; i < tokens.length; i++) {
            float[] step = gpt.forward(cache, new int[] {tokens[i]}, null);
            System.arraycopy(step, 0, decoded, i * v, v);
        }
        assertMatches("token-by-token logits", logits(), decoded);
    }

    @Test
    void chunkedKvCacheDecodingMatchesPyTorch() {
        int v = gpt.config().vocabSize();
        KvCache cache = new KvCache(gpt.config(), gpt.config().sequenceLen());
        float[] decoded = new float[tokens.length * v];
        int at = 0;
        for (int size : new int[] {7, 1, 10, 6}) {
            float[] chunk = gpt.forward(cache, Arrays.copyOfRange(tokens, at, at + size), null);
            System.arraycopy(chunk, 0, decoded, at * v, size * v);
            at += size;
        }
        assertEquals(tokens.length, at);
        assertMatches("chunked logits", logits(), decoded);
    }

    @Test
    void hooksSeeThePyTorchActivations() {
        Hooks hooks = new Hooks();
        HookPoint[] points = Gpt2FixtureTest.expected.keySet().stream().filter(n -> n.startsWith("blocks."))
                .map(n -> HookPoint.parse(n, gpt.config())).toArray(HookPoint[]::new);
        assertEquals(3, points.length);
        Map<HookPoint, Tensor> cache = hooks.cache(points);
        gpt.forward(GptState.forInference(gpt.config(), 1, tokens.length), tokens, 1, tokens.length, null, hooks);
        for (HookPoint p : points) {
            assertMatches(p.name(), expected.get(p.name()).data(), cache.get(p).data());
            assertEquals(p.width(gpt.config()), cache.get(p).cols());
        }
    }

    @Test
    void forwardToReturnsTheActivationAtItsStop() {
        HookPoint stop = HookPoint.parse("blocks.0.hook_resid_post", gpt.config());
        float[] act = gpt.forwardTo(GptState.forInference(gpt.config(), 1, tokens.length), tokens, 1,
                tokens.length, stop, null);
        assertMatches(stop.name(), expected.get(stop.name()).data(), act);
    }

    @Test
    void zeroAblatingTheLastMlpChangesTheLogits() {
        Hooks hooks = new Hooks().add(HookPoint.parse("blocks.1.hook_mlp_out", gpt.config()), Hook.zeroAblate());
        GptState state = GptState.forInference(gpt.config(), 1, tokens.length);
        gpt.forward(state, tokens, 1, tokens.length, null, hooks);
        assertTrue(relativeError(logits(), state.logits()) > 1e-2, "a write hook reaches the logits");
    }

    @Test
    void lossIsTheMeanCrossEntropyOfTheReferenceLogits() {
        int t = tokens.length - 1;
        int v = gpt.config().vocabSize();
        int[] inputs = Arrays.copyOf(tokens, t);
        int[] targets = Arrays.copyOfRange(tokens, 1, t + 1);
        float loss = gpt.forward(GptState.forInference(gpt.config(), 1, t), inputs, 1, t, targets, null);
        double want = 0;
        float[] ref = logits();
        for (int i = 0; i < t; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, ref[i * v + j]);
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                sum += Math.exp(ref[i * v + j] - max);
            }
            want += max + Math.log(sum) - ref[i * v + targets[i]];
        }
        assertEquals(want / t, loss, 1e-4 * Math.abs(want / t));
    }

    @Test
    void trainingAGpt2IsRefusedInOneLine() {
        for (Runnable attempt : new Runnable[] {gpt::gradients,
                () -> GptState.forTraining(gpt.config(), 1, 4),
                () -> gpt.backward(GptState.forInference(gpt.config(), 1, 4))}) {
            NanolensException e = assertThrows(NanolensException.class, attempt::run);
            assertTrue(e.getMessage().contains("nanochat"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void positionsPastTheTableAreRefused() {
        int p = gpt.config().sequenceLen();
        assertThrows(NanolensException.class, () -> new KvCache(gpt.config(), p + 1));
        assertThrows(NanolensException.class, () -> GptState.forInference(gpt.config(), 1, p + 1));
    }

    @Test
    void directLogitsFoldTheFinalLayerNormIntoTheTiedUnembedding() {
        int d = gpt.config().nEmbd();
        int v = gpt.config().vocabSize();
        float[] directions = Tensor.randn(3, 1f, 2, d).data();
        float[] got = new float[2 * v];
        gpt.directLogits(directions, 2, got);
        float[] gamma = gpt.parameters().get("ln_f.weight").data();
        float[] wte = gpt.parameters().get("wte.weight").data();
        float[] want = new float[2 * v];
        for (int r = 0; r < 2; r++) {
            double mean = 0;
            for (int i = 0; i < d; i++) {
                mean += directions[r * d + i] / (double) d;
            }
            for (int j = 0; j < v; j++) {
                double sum = 0;
                for (int i = 0; i < d; i++) {
                    sum += (directions[r * d + i] - mean) * gamma[i] * wte[j * d + i];
                }
                want[r * v + j] = (float) sum;
            }
        }
        assertMatches("direct logits", want, got);
    }

    @Test
    void mlpOutputMapsHiddenDirectionsThroughCProj() {
        int d = gpt.config().nEmbd();
        int h = gpt.config().mlpDim();
        float[] hidden = Tensor.randn(4, 1f, 3, h).data();
        float[] got = new float[2 * d];
        gpt.mlpOutput(1, hidden, h, 2, got);
        float[] w = gpt.parameters().get("h.1.mlp.c_proj.weight").data();
        float[] want = new float[2 * d];
        for (int r = 0; r < 2; r++) {
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (int i = 0; i < h; i++) {
                    sum += hidden[(r + 1) * h + i] * w[i * d + j];
                }
                want[r * d + j] = (float) sum;
            }
        }
        assertMatches("MLP output directions", want, got);
    }
}
