package io.nanolens.eval;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.Corpus;
import io.nanolens.text.TinyWorld;
import io.nanolens.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaeEvaluationTest {
    private static final int T = 16;
    private static final TinyWorld WORLD = new TinyWorld(5, 300);
    private static final Corpus CORPUS = Corpus.of(WORLD);
    private static final Tokenizer TOKENIZER = Bpe.train(() -> WORLD.documents().iterator(), 300);
    /** d=16, 2 layers, 2 heads of 8, context 16. */
    private static final GptConfig MODEL = new GptConfig(T, TOKENIZER.vocabSize(), 2, 2, 2, 16);
    private static final Gpt GPT = model(3);
    private static final HookPoint RESID = HookPoint.parse("blocks.0.hook_resid_post", MODEL);
    private static final List<int[]> CONTEXTS = EvalReference.contexts(CORPUS.validation(), TOKENIZER, T);

    /** A nanochat-initialised model whose zero-initialised projections get random values, so ablation matters. */
    private static Gpt model(long seed) {
        Gpt gpt = new Gpt(MODEL, seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        gpt.parameters().forEach((name, t) -> {
            if (name.equals("lm_head.weight") || name.endsWith("c_proj.weight")) {
                float std = (float) (1 / Math.sqrt(t.dim(1)));
                System.arraycopy(Tensor.randn(random.nextLong(), std, t.shape()).data(), 0, t.data(), 0, t.size());
            }
        });
        return gpt;
    }

    /** A ReLU SAE of 24 latents: 3 never fire (bias −50), 4 always fire (bias +20), the rest random. */
    private static Sae randomSae(int d, long seed) {
        int m = 24;
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put(Sae.W_ENC, Tensor.randn(random.nextLong(), 0.5f, m, d));
        float[] bEnc = Tensor.randn(random.nextLong(), 0.5f, m).data();
        for (int i = 0; i < 7; i++) {
            bEnc[i] = i < 3 ? -50 : 20;
        }
        p.put(Sae.B_ENC, Tensor.of(bEnc, m));
        p.put(Sae.W_DEC, Tensor.randn(random.nextLong(), 0.3f, m, d));
        p.put(Sae.B_DEC, Tensor.randn(random.nextLong(), 0.1f, d));
        return Sae.of(SaeConfig.of(Architecture.RELU, d, m), p);
    }

    private static EvalReference.ReluWeights weights(Sae sae) {
        int d = sae.dIn();
        int m = sae.dSae();
        float[] wEnc = sae.parameters().get(Sae.W_ENC).data();
        float[] wDec = sae.parameters().get(Sae.W_DEC).data();
        double[][] enc = new double[m][d];
        double[][] dec = new double[m][d];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < d; c++) {
                enc[i][c] = wEnc[i * d + c];
                dec[i][c] = wDec[i * d + c];
            }
        }
        return new EvalReference.ReluWeights(enc, doubles(sae.parameters().get(Sae.B_ENC).data()), dec,
                doubles(sae.parameters().get(Sae.B_DEC).data()));
    }

    private static double[] doubles(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static EvalReport evaluate(Sae sae, EvalConfig config) {
        return SaeEvaluation.run(GPT, TOKENIZER, sae, CORPUS, config, null);
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-5 * (1 + Math.abs(expected)), what);
    }

    private static void assertMatches(EvalReference.Result expected, EvalReport actual) {
        assertEquals(expected.tokens(), actual.tokens(), "tokens");
        assertClose(expected.mse(), actual.mse(), "mse");
        assertClose(expected.fvu(), actual.fvu(), "fvu");
        assertClose(expected.cosine(), actual.cosineSimilarity(), "cosine similarity");
        assertClose(expected.l0(), actual.l0(), "l0");
        assertClose(expected.l1(), actual.l1(), "l1");
        assertEquals(expected.dead(), actual.deadFraction(), 1e-12, "dead fraction");
        assertEquals(expected.dense(), actual.denseFraction(), 1e-12, "dense fraction");
        assertArrayEquals(expected.histogram(), actual.log10DensityHistogram().counts(), "density histogram");
        assertClose(expected.ceClean(), actual.ceClean(), "ce clean");
        assertClose(expected.ceSae(), actual.ceWithSae(), "ce with sae");
        assertClose(expected.ceZero(), actual.ceZeroAblation(), "ce zero ablation");
        assertClose(expected.recovered(), actual.ceLossRecovered(), "ce loss recovered");
        assertClose(expected.kl(), actual.klDivergence(), "kl divergence");
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocks.0.hook_resid_post", "blocks.1.mlp.hook_post", "blocks.1.hook_attn_out"})
    void everyMetricMatchesANaiveFloat64Reference(String name) {
        HookPoint hook = HookPoint.parse(name, MODEL);
        Sae sae = randomSae(hook.width(MODEL), 17);
        EvalReport report = evaluate(sae, EvalConfig.of(hook, T, EvalConfig.ALL).withContextsPerPass(3));
        EvalReference.Result expected = EvalReference.evaluate(GPT, TOKENIZER, weights(sae), hook, CONTEXTS,
                Long.MAX_VALUE, false);
        assertMatches(expected, report);
        assertTrue(expected.dead() > 0 && expected.dense() > 0 && expected.recovered() != 0, "a telling fixture");
    }

    @Test
    void tokenBudgetStopsAfterExactlyThatManyPositionsWithinAPass() {
        Sae sae = randomSae(16, 5);
        EvalReport report = evaluate(sae, EvalConfig.of(RESID, T, 100).withContextsPerPass(4));
        assertEquals(100, report.tokens());
        assertMatches(EvalReference.evaluate(GPT, TOKENIZER, weights(sae), RESID, CONTEXTS, 100, false), report);
    }

    @Test
    void bosPositionsAreLeftOutByDefaultAndEvaluatedOnRequest() {
        Sae sae = randomSae(16, 6);
        long bos = CONTEXTS.stream().flatMapToInt(Arrays::stream).filter(id -> id == TOKENIZER.bosId())
                .count();
        EvalReport without = evaluate(sae, EvalConfig.of(RESID, T, EvalConfig.ALL));
        assertEquals((long) CONTEXTS.size() * T - bos, without.tokens());
        EvalReport with = evaluate(sae, EvalConfig.of(RESID, T, EvalConfig.ALL).withKeepBos(true));
        assertEquals((long) CONTEXTS.size() * T, with.tokens());
        assertMatches(EvalReference.evaluate(GPT, TOKENIZER, weights(sae), RESID, CONTEXTS, Long.MAX_VALUE, true),
                with);
    }

    @Test
    void contextsPerPassDoNotChangeTheResult() {
        Sae sae = randomSae(16, 7);
        EvalReport one = evaluate(sae, EvalConfig.of(RESID, T, EvalConfig.ALL).withContextsPerPass(1));
        EvalReport five = evaluate(sae, EvalConfig.of(RESID, T, EvalConfig.ALL).withContextsPerPass(5));
        assertEquals(one.tokens(), five.tokens());
        assertClose(one.fvu(), five.fvu(), "fvu");
        assertClose(one.ceWithSae(), five.ceWithSae(), "ce with sae");
        assertClose(one.klDivergence(), five.klDivergence(), "kl");
    }

    @Test
    void wholeCorpusIsEvaluatedOnItsValidationPartAndAPartAsGiven() {
        Sae sae = randomSae(16, 8);
        EvalConfig config = EvalConfig.of(RESID, T, 300);
        assertEquals(evaluate(sae, config), SaeEvaluation.run(GPT, TOKENIZER, sae, CORPUS.validation(), config, null));
        EvalReport training = SaeEvaluation.run(GPT, TOKENIZER, sae, CORPUS.training(), config, null);
        List<String> firstTen;
        try (var documents = CORPUS.training().documents()) {
            firstTen = documents.limit(10).toList();
        }
        List<int[]> trainingContexts = EvalReference.contexts(Corpus.of("first ten", firstTen), TOKENIZER, T);
        assertClose(EvalReference.evaluate(GPT, TOKENIZER, weights(sae), RESID, trainingContexts, 300, false).ceClean(),
                training.ceClean(), "ce clean on the training part");
    }

    /** Encoder and decoder rows +e_c and −e_c: relu(x) − relu(−x) = x, so the SAE reproduces its input exactly. */
    @Test
    void identitySaeRecoversTheCleanModel() {
        int d = 16;
        Map<String, Tensor> p = new LinkedHashMap<>();
        float[] rows = new float[2 * d * d];
        for (int c = 0; c < d; c++) {
            rows[c * d + c] = 1;
            rows[(d + c) * d + c] = -1;
        }
        p.put(Sae.W_ENC, Tensor.of(rows.clone(), 2 * d, d));
        p.put(Sae.B_ENC, Tensor.zeros(2 * d));
        p.put(Sae.W_DEC, Tensor.of(rows.clone(), 2 * d, d));
        p.put(Sae.B_DEC, Tensor.zeros(d));
        Sae identity = Sae.of(SaeConfig.of(Architecture.RELU, d, 2 * d), p);
        EvalReport r = evaluate(identity, EvalConfig.of(RESID, T, EvalConfig.ALL));
        assertEquals(0, r.fvu(), 1e-12);
        assertEquals(0, r.mse(), 1e-12);
        assertEquals(1, r.cosineSimilarity(), 1e-9);
        assertEquals(r.ceClean(), r.ceWithSae(), 1e-9);
        assertEquals(1, r.ceLossRecovered(), 1e-9);
        assertEquals(0, r.klDivergence(), 1e-9);
        assertTrue(Math.abs(r.ceZeroAblation() - r.ceClean()) > 0.01, "ablation changes the loss: " + r);
    }

    @Test
    void zeroSaeRecoversNothing() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        Sae.parameterShapes(SaeConfig.of(Architecture.RELU, 16, 8)).forEach((n, s) -> p.put(n, Tensor.zeros(s)));
        Sae zero = Sae.of(SaeConfig.of(Architecture.RELU, 16, 8), p);
        EvalReport r = evaluate(zero, EvalConfig.of(RESID, T, EvalConfig.ALL));
        assertEquals(r.ceZeroAblation(), r.ceWithSae(), 1e-12);
        assertEquals(0, r.ceLossRecovered(), 1e-9);
        assertEquals(1, r.deadFraction());
        assertEquals(0, r.l0());
        assertEquals(0, r.cosineSimilarity());
        assertTrue(r.fvu() > 1, "x̂ = 0 leaves more than the variance unexplained: " + r.fvu());
        assertEquals(8, r.log10DensityHistogram().counts()[0]);
    }

    @Test
    void progressReportsEveryPassUpToTheFinalTokenCount() {
        List<Long> seen = new ArrayList<>();
        EvalReport r = SaeEvaluation.run(GPT, TOKENIZER, randomSae(16, 9), CORPUS, EvalConfig.of(RESID, T, 250)
                .withContextsPerPass(2), (tokens, budget) -> {
                    assertEquals(250, budget);
                    seen.add(tokens);
                });
        assertEquals(r.tokens(), seen.getLast());
        assertTrue(seen.size() > 5, "one update per pass: " + seen);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) > seen.get(i - 1), seen.toString());
        }
    }

    @Test
    void mismatchedInputsAreOneLineErrors() {
        assertError("d_in = 12", () -> evaluate(randomSae(12, 1), EvalConfig.of(RESID, T, 10)));
        HookPoint past = new HookPoint(5, HookPoint.Kind.RESID_POST);
        assertError("past the model's last layer", () -> evaluate(randomSae(16, 1), EvalConfig.of(past, T, 10)));
        assertError("longer than the model's", () -> evaluate(randomSae(16, 1), EvalConfig.of(RESID, 2 * T, 10)));
        Corpus small = Corpus.of("short", Collections.nCopies(100, "a b"));
        assertError("no full context", () -> SaeEvaluation.run(GPT, TOKENIZER, randomSae(16, 1), small,
                EvalConfig.of(RESID, T, 10), null));
        assertError("does not have", () -> EvalConfig.forSae(SaeMetadata.of("m", "blocks.7.hook_resid_post", T),
                MODEL, 10));
        assertError("names no hook", () -> EvalConfig.forSae(SaeMetadata.unknown(), MODEL, 10));
        assertError("at least 2", () -> EvalConfig.of(RESID, 1, 10));
    }

    @Test
    void forSaeTakesTheHookAndContextFromTheMetadata() {
        EvalConfig config = EvalConfig.forSae(SaeMetadata.of("m", "blocks.1.mlp.hook_post", 8), MODEL, 77);
        assertEquals(new EvalConfig(HookPoint.parse("blocks.1.mlp.hook_post", MODEL), 8,
                EvalConfig.DEFAULT_CONTEXTS_PER_PASS, 77, false), config);
        SaeMetadata noContext = new SaeMetadata(null, "blocks.0.hook_resid_post", null, null, true, false, null,
                Map.of());
        assertEquals(T, EvalConfig.forSae(noContext, MODEL, 1).contextSize());
    }

    private static void assertError(String part, Runnable action) {
        NanolensException e = assertThrows(NanolensException.class, action::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
