package io.nanolens.analysis;

import io.nanolens.explorer.ConceptMatch;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Corpus;
import io.nanolens.text.LabelledText;
import io.nanolens.text.TinyWorld;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConceptAndContrastTest {

    @Test
    void conceptF1EqualsANaiveCountOverTheAnalysedTokens() {
        AnalysisSubject subject = AnalysisFixtures.subject(AnalysisFixtures.sae(Architecture.RELU, 32, 24, 21));
        Corpus corpus = Corpus.of(AnalysisFixtures.WORLD);
        AnalysisConfig config = AnalysisFixtures.config(1500, true);
        AnalysisResult result = FeatureAnalysis.run(subject, corpus, config, null, FeatureAnalysis.Listener.NONE);
        NaiveRun naive = new NaiveRun(subject, corpus, 1500, config.windowRadius(), true);
        List<String> concepts = TinyWorld.concepts();
        int m = naive.m();
        long[] fires = new long[m];
        long[] conceptTokens = new long[concepts.size()];
        long[][] hits = new long[m][concepts.size()];
        for (long p = 0; p < naive.ids.length; p++) {
            if (!naive.analysed(p)) {
                continue;
            }
            for (int c = 0; c < concepts.size(); c++) {
                boolean has = (naive.masks[(int) p] >> c & 1) != 0;
                conceptTokens[c] += has ? 1 : 0;
                for (int j = 0; j < m; j++) {
                    hits[j][c] += has && naive.latent(p, j) > 0 ? 1 : 0;
                }
            }
            for (int j = 0; j < m; j++) {
                fires[j] += naive.latent(p, j) > 0 ? 1 : 0;
            }
        }
        ConceptTable table = result.concepts();
        assertEquals(concepts.size(), table.rows().size());
        int withTokens = 0;
        for (int c = 0; c < concepts.size(); c++) {
            ConceptTable.Row row = table.rows().get(c);
            assertEquals(concepts.get(c), row.concept());
            assertEquals(conceptTokens[c], row.conceptTokens());
            withTokens += conceptTokens[c] > 0 ? 1 : 0;
            double best = 0;
            for (int j = 0; j < m; j++) {
                best = Math.max(best, f1(hits[j][c], fires[j], conceptTokens[c]));
            }
            assertEquals(best, row.f1(), 1e-12, concepts.get(c));
            if (best > 0) {
                int j = row.feature();
                assertEquals(best, f1(hits[j][c], fires[j], conceptTokens[c]), 1e-12);
                assertEquals((double) hits[j][c] / fires[j], row.precision(), 1e-12);
                assertEquals((double) hits[j][c] / conceptTokens[c], row.recall(), 1e-12);
            }
        }
        assertTrue(withTokens >= 6, "the fixture should cover most concepts: " + withTokens);
        for (int j = 0; j < m; j++) {
            double best = 0;
            for (int c = 0; c < concepts.size(); c++) {
                best = Math.max(best, f1(hits[j][c], fires[j], conceptTokens[c]));
            }
            ConceptMatch match = result.atlas().features().get(j).bestConcept();
            if (best == 0) {
                assertNull(match);
            } else {
                int c = concepts.indexOf(match.concept());
                assertEquals(best, match.f1(), 1e-12);
                assertEquals(best, f1(hits[j][c], fires[j], conceptTokens[c]), 1e-12);
            }
        }
    }

    /** F1 as the harmonic mean of precision and recall, 0 when both are 0. */
    private static double f1(long hits, long fires, long conceptTokens) {
        double p = fires == 0 ? 0 : (double) hits / fires;
        double r = conceptTokens == 0 ? 0 : (double) hits / conceptTokens;
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    @Test
    void tokensBelongToAConceptWhenAnyOfTheirCharactersDoes() {
        String text = "Mia\u2019s red hat. \uD83D\uDC31 Tom said \"no cat\" and Pip\u00E9 was sad.";
        LabelledText labelled = TinyWorld.label(text);
        int[] ids = AnalysisFixtures.TOKENIZER.encode(text);
        int[] masks = TokenConcepts.masks(labelled, ids, AnalysisFixtures.TOKENIZER);
        int[] charStart = new int[text.length() + 1];
        for (int i = 0; i <= text.length(); i++) {
            charStart[i] = text.substring(0, i).getBytes(StandardCharsets.UTF_8).length;
        }
        int at = 0;
        int labelledTokens = 0;
        for (int t = 0; t < ids.length; t++) {
            int end = at + AnalysisFixtures.TOKENIZER.tokenBytes(ids[t]).length;
            int expected = 0;
            for (int i = 0; i < text.length(); i++) {
                int from = charStart[i];
                int to = Character.isHighSurrogate(text.charAt(i)) ? charStart[i + 2] : charStart[i + 1];
                if (from < end && to > at && to > from) {
                    expected |= labelled.bitsAt(i);
                }
            }
            assertEquals(expected, masks[t], "token " + t);
            labelledTokens += masks[t] != 0 ? 1 : 0;
            at = end;
        }
        assertTrue(labelledTokens >= 5, "the text should label several tokens: " + labelledTokens);
    }

    @Test
    void contrastRanksFirstAFeatureThatFiresOnlyOnTheFirstSet() {
        HookPoint embedding = new HookPoint(0, HookPoint.Kind.RESID_PRE);
        int marker = AnalysisFixtures.TOKENIZER.encode("@")[0];
        float[] x = normalisedEmbedding(marker);
        int m = 12;
        Sae sae = AnalysisFixtures.sae(SaeConfig.of(Architecture.RELU, 32, m), 22, p -> {
            float[] wEnc = p.get(Sae.W_ENC).data();
            float[] bEnc = p.get(Sae.B_ENC).data();
            double xx = dot(x, x);
            for (int j = 1; j < m; j++) {
                double along = 0;
                for (int c = 0; c < 32; c++) {
                    along += wEnc[j * 32 + c] * x[c];
                }
                for (int c = 0; c < 32; c++) {
                    wEnc[j * 32 + c] -= (float) (along / xx * x[c]);
                }
                bEnc[j] = -0.05f;
            }
            for (int c = 0; c < 32; c++) {
                wEnc[c] = (float) (x[c] / xx);
            }
            bEnc[0] = -0.9f;
            Arrays.fill(p.get(Sae.B_DEC).data(), 0f);
        });
        AnalysisSubject subject = AnalysisFixtures.subject(AnalysisFixtures.GPT, embedding, sae);
        List<String> plain = AnalysisFixtures.WORLD.documents().skip(30).limit(4).toList();
        List<String> marked = plain.stream().map(s -> s.replace(" ", " @")).toList();
        ContrastSets sets = new ContrastSets("alpha", Corpus.of("alpha", marked), "beta", Corpus.of("beta", plain));
        AnalysisConfig config = AnalysisFixtures.config(100_000, false);
        AnalysisResult result = FeatureAnalysis.run(subject, Corpus.of("both", marked), config, sets,
                FeatureAnalysis.Listener.NONE);
        ContrastTable table = result.contrast();
        NaiveRun a = new NaiveRun(subject, sets.a(), 100_000, 0, false);
        NaiveRun b = new NaiveRun(subject, sets.b(), 100_000, 0, false);
        assertEquals(a.tokens, table.tokensA());
        assertEquals(b.tokens, table.tokensB());
        List<double[]> expected = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            double[] sa = moments(a, j);
            double[] sb = moments(b, j);
            double d = (sa[0] - sb[0]) / Math.sqrt((sa[1] + sb[1]) / 2 + 1e-12);
            expected.add(new double[] {j, sa[0], sb[0], d});
        }
        expected.sort(Comparator.comparingDouble((double[] e) -> -Math.abs(e[3])).thenComparingDouble(e -> e[0]));
        for (int r = 0; r < m; r++) {
            ContrastTable.Row row = table.rows().get(r);
            double[] e = expected.get(r);
            assertEquals((int) e[0], row.feature(), "rank " + r);
            assertEquals(e[1], row.meanA(), 1e-9);
            assertEquals(e[2], row.meanB(), 1e-9);
            assertEquals(e[3], row.score(), 1e-6 * Math.max(1, Math.abs(e[3])));
        }
        ContrastTable.Row first = table.rows().getFirst();
        assertEquals(0, first.feature());
        assertEquals(0, first.meanB());
        assertEquals(0, first.densityB());
        assertTrue(first.score() > FeatureAnalysis.CONTRAST_MIN_SCORE && first.meanA() > 0, "on A only: " + first);
        FeatureCard card = result.atlas().features().get(0);
        assertTrue(card.label().startsWith("[alpha]"), card.label());
    }

    /** Mean and population variance of feature j over the analysed tokens of a naive run. */
    private static double[] moments(NaiveRun run, int j) {
        double sum = 0;
        double squares = 0;
        for (long p = 0; p < run.ids.length; p++) {
            if (run.analysed(p)) {
                double v = run.latent(p, j);
                sum += v;
                squares += v * v;
            }
        }
        double mean = sum / run.tokens;
        return new double[] {mean, squares / run.tokens - mean * mean};
    }

    /** rmsnorm(wte[id]): the layer-0 residual stream at a token of this id. */
    private static float[] normalisedEmbedding(int id) {
        Tensor wte = AnalysisFixtures.GPT.parameters().get("transformer.wte.weight");
        float[] x = new float[32];
        System.arraycopy(wte.data(), id * 32, x, 0, 32);
        double ms = dot(x, x) / 32;
        for (int c = 0; c < 32; c++) {
            x[c] = (float) (x[c] / Math.sqrt(ms + 1.1920929e-7));
        }
        return x;
    }

    private static double dot(float[] a, float[] b) {
        return IntStream.range(0, a.length).mapToDouble(i -> (double) a[i] * b[i]).sum();
    }
}
