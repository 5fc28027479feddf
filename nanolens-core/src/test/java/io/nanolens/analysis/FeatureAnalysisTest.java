package io.nanolens.analysis;

import io.nanolens.NanolensException;
import io.nanolens.explorer.ActivatingContext;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.explorer.Histogram;
import io.nanolens.explorer.QuantileGroup;
import io.nanolens.explorer.TokenEffect;
import io.nanolens.model.Gpt;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.text.Corpus;
import io.nanolens.text.TinyWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureAnalysisTest {
    private static final Corpus CORPUS = Corpus.of(AnalysisFixtures.WORLD);
    private static final long TOKENS = 700;

    private static AnalysisResult analyse(AnalysisSubject subject, AnalysisConfig config) {
        return FeatureAnalysis.run(subject, CORPUS, config, null, FeatureAnalysis.Listener.NONE);
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"RELU", "TOP_K", "JUMP_RELU", "GATED"})
    void topContextsEqualABruteForceSearchOverEveryToken(Architecture architecture) {
        AnalysisSubject subject = AnalysisFixtures.subject(AnalysisFixtures.sae(architecture, 32, 24, 5));
        AnalysisConfig config = AnalysisFixtures.config(TOKENS, false);
        AnalysisResult result = analyse(subject, config);
        NaiveRun naive = new NaiveRun(subject, CORPUS, TOKENS, config.windowRadius(), false);
        assertEquals(naive.tokens, result.tokens());
        int checked = 0;
        for (int j = 0; j < naive.m(); j++) {
            List<ActivatingContext> expected = naive.firings(j).stream().limit(config.topContexts())
                    .map(NaiveRun.Firing::window).toList();
            assertEquals(expected, result.atlas().features().get(j).topContexts(), "feature " + j);
            checked += expected.size() == config.topContexts() ? 1 : 0;
        }
        assertTrue(checked > 5, "too few features fill their heap to test it: " + checked);
    }

    @Test
    void histogramCountsDensityAndMaxEqualNaiveCounts() {
        AnalysisSubject subject = AnalysisFixtures.subject(AnalysisFixtures.sae(Architecture.RELU, 32, 24, 6));
        AnalysisConfig config = AnalysisFixtures.config(TOKENS, false);
        AnalysisResult result = analyse(subject, config);
        NaiveRun naive = new NaiveRun(subject, CORPUS, TOKENS, config.windowRadius(), false);
        for (int j = 0; j < naive.m(); j++) {
            FeatureCard card = result.atlas().features().get(j);
            List<NaiveRun.Firing> firings = naive.firings(j);
            assertEquals((double) firings.size() / naive.tokens, card.density(), 1e-15, "density " + j);
            float max = firings.isEmpty() ? 0 : firings.getFirst().value();
            assertEquals(max, card.maxActivation(), "max " + j);
            Histogram h = card.histogram();
            float[] edges = h.edges();
            if (firings.isEmpty()) {
                assertEquals(0, edges.length);
                continue;
            }
            int bins = config.histogramBins();
            double range = edges[0] + bins * (double) (edges[1] - edges[0]);
            assertTrue(range >= max && (range / 2 < max || range == Math.scalb(1.0, -24)),
                    "range " + range + " is not the smallest power of two >= " + max);
            long[] expected = new long[h.counts().length];
            for (NaiveRun.Firing f : firings) {
                int bin = -1;
                for (int i = 0; i < expected.length; i++) {
                    boolean last = i == expected.length - 1;
                    if (f.value() >= edges[i] && (f.value() < edges[i + 1] || last && f.value() == edges[i + 1])) {
                        bin = i;
                    }
                }
                assertTrue(bin >= 0, "value " + f.value() + " of feature " + j + " is in no bin");
                expected[bin]++;
            }
            assertEquals(Arrays.toString(expected), Arrays.toString(h.counts()), "feature " + j);
        }
    }

    @Test
    void quantileSamplesLieInTheirBandsAndComeFromThem() {
        AnalysisSubject subject = AnalysisFixtures.subject(AnalysisFixtures.sae(Architecture.RELU, 32, 24, 7));
        AnalysisConfig config = AnalysisFixtures.config(TOKENS, false);
        AnalysisResult result = analyse(subject, config);
        NaiveRun naive = new NaiveRun(subject, CORPUS, TOKENS, config.windowRadius(), false);
        int fullBands = 0;
        for (int j = 0; j < naive.m(); j++) {
            FeatureCard card = result.atlas().features().get(j);
            List<NaiveRun.Firing> firings = naive.firings(j);
            float[] edges = card.histogram().edges();
            long covered = 0;
            for (QuantileGroup g : card.quantiles()) {
                float bandWidth = (edges.length == 0 ? 0 : edges[1] - edges[0]) * config.histogramBins()
                        / config.bands();
                float top = g.low() + bandWidth;
                float range = edges[0] + config.histogramBins() * (edges[1] - edges[0]);
                List<NaiveRun.Firing> inBand = firings.stream()
                        .filter(f -> f.value() >= g.low() && (f.value() < top || top == range && f.value() == range))
                        .toList();
                covered += inBand.size();
                assertEquals((double) inBand.size() / firings.size(), g.fraction(), 1e-12);
                assertEquals(Math.min(config.samplesPerBand(), inBand.size()), g.contexts().size());
                fullBands += inBand.size() > config.samplesPerBand() ? 1 : 0;
                List<ActivatingContext> windows = inBand.stream().map(NaiveRun.Firing::window).toList();
                for (ActivatingContext c : g.contexts()) {
                    float peak = c.values()[c.peak()];
                    assertTrue(peak >= g.low() && peak <= g.high(), peak + " outside [" + g.low() + ", "
                            + g.high() + "]");
                    assertTrue(windows.contains(c), "a sample of feature " + j + " is no token of its band");
                }
                assertEquals(g.contexts().size(), g.contexts().stream().distinct().count());
            }
            assertEquals(firings.size(), covered, "the bands of feature " + j + " miss firings");
        }
        assertTrue(fullBands > 10, "too few bands overflow to test sampling: " + fullBands);
    }

    @Test
    void logitEffectsEqualAFloat64ProductThroughTheUnembedding() {
        Sae sae = AnalysisFixtures.sae(Architecture.RELU, 32, 24, 8);
        AnalysisResult result = analyse(AnalysisFixtures.subject(sae), AnalysisFixtures.config(200, false));
        checkLogits(result, AnalysisFixtures.GPT, sae, null, 6);
    }

    @Test
    void logitEffectsAtTheMlpHiddenLayerGoThroughItsOutputProjection() {
        HookPoint hidden = new HookPoint(0, HookPoint.Kind.MLP_POST);
        Sae sae = AnalysisFixtures.sae(Architecture.TOP_K, 128, 20, 9);
        AnalysisResult result = analyse(AnalysisFixtures.subject(AnalysisFixtures.GPT, hidden, sae),
                AnalysisFixtures.config(200, false));
        float[] cProj = AnalysisFixtures.GPT.parameters().get("transformer.h.0.mlp.c_proj.weight").data();
        checkLogits(result, AnalysisFixtures.GPT, sae, cProj, 6);
    }

    private static void checkLogits(AnalysisResult result, Gpt gpt, Sae sae, float[] cProj, int n) {
        int d = gpt.config().nEmbd();
        int vocab = gpt.config().vocabSize();
        int width = sae.dIn();
        float[] wDec = sae.parameters().get(Sae.W_DEC).data();
        float[] wU = gpt.parameters().get("lm_head.weight").data();
        String[] strings = FeatureAnalysis.vocabulary(AnalysisFixtures.TOKENIZER);
        for (int j = 0; j < sae.dSae(); j++) {
            double[] u = new double[d];
            for (int c = 0; c < d; c++) {
                for (int k = 0; k < width; k++) {
                    u[c] += cProj == null ? (c == k ? wDec[j * width + k] : 0)
                            : (double) cProj[c * width + k] * wDec[j * width + k];
                }
            }
            double[] effect = new double[vocab];
            for (int v = 0; v < vocab; v++) {
                for (int c = 0; c < d; c++) {
                    effect[v] += wU[v * d + c] * u[c];
                }
            }
            List<Integer> order = IntStream.range(0, vocab).boxed()
                    .sorted(Comparator.comparingDouble(v -> -effect[v])).toList();
            FeatureCard card = result.atlas().features().get(j);
            for (int i = 0; i < n; i++) {
                int up = order.get(i);
                int down = order.get(vocab - 1 - i);
                TokenEffect promoted = card.promoted().get(i);
                TokenEffect suppressed = card.suppressed().get(i);
                assertEquals(strings[up], promoted.token(), "feature " + j + " rank " + i);
                assertEquals(effect[up], promoted.value(), 1e-4);
                assertEquals(strings[down], suppressed.token(), "feature " + j + " rank " + i);
                assertEquals(effect[down], suppressed.value(), 1e-4);
            }
        }
    }

    @Test
    void neighboursEqualABruteForceCosineSearch() {
        int m = 300; // more than one block of 256 rows
        Sae sae = AnalysisFixtures.sae(Architecture.RELU, 32, m, 10);
        AnalysisResult result = analyse(AnalysisFixtures.subject(sae), AnalysisFixtures.config(100, false));
        float[] w = sae.parameters().get(Sae.W_DEC).data();
        for (int j = 0; j < m; j++) {
            double[] cos = new double[m];
            for (int i = 0; i < m; i++) {
                cos[i] = dot(w, i, j) / Math.sqrt(dot(w, i, i) * dot(w, j, j));
            }
            int self = j;
            List<Integer> order = IntStream.range(0, m).filter(i -> i != self).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -cos[i]).thenComparingInt(i -> i)).toList();
            var neighbours = result.atlas().features().get(j).neighbours();
            assertEquals(4, neighbours.size());
            for (int r = 0; r < neighbours.size(); r++) {
                assertEquals(order.get(r), neighbours.get(r).index(), "feature " + j + " rank " + r);
                assertEquals(cos[order.get(r)], neighbours.get(r).cosine(), 1e-5);
            }
        }
    }

    private static double dot(float[] w, int a, int b) {
        double s = 0;
        for (int c = 0; c < 32; c++) {
            s += (double) w[a * 32 + c] * w[b * 32 + c];
        }
        return s;
    }

    @Test
    void aNonFiniteActivationIsAOneLineErrorNamingTheFeature() {
        Sae sae = AnalysisFixtures.sae(SaeConfig.of(Architecture.RELU, 32, 10), 14,
                p -> p.get(Sae.B_ENC).data()[3] = Float.POSITIVE_INFINITY);
        NanolensException e = assertThrows(NanolensException.class,
                () -> analyse(AnalysisFixtures.subject(sae), AnalysisFixtures.config(100, false)));
        assertTrue(e.getMessage().startsWith("the SAE gave feature 3 the activation Infinity"), e.getMessage());
    }

    @Test
    void everyCardIsBuiltInIndexOrderWithTheAtlasHeader() {
        Sae sae = AnalysisFixtures.sae(Architecture.TOP_K, 32, 24, 12);
        AnalysisResult result = analyse(AnalysisFixtures.subject(sae), AnalysisFixtures.config(300, true));
        assertEquals(24, result.atlas().features().size());
        assertEquals(24, result.atlas().dSae());
        assertEquals("topk", result.atlas().architecture());
        assertEquals(AnalysisFixtures.RESID.name(), result.atlas().hookName());
        assertEquals(TinyWorld.concepts(), result.atlas().conceptNames());
        List<Integer> indices = new ArrayList<>();
        result.atlas().features().forEach(card -> indices.add(card.index()));
        assertEquals(IntStream.range(0, 24).boxed().toList(), indices);
        assertTrue(result.tokensPerSecond() > 0);
    }
}
