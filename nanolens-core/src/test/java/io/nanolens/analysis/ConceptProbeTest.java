package io.nanolens.analysis;

import io.nanolens.NanolensException;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.model.GptState;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.text.Corpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConceptProbeTest {
    private static final long TOKENS = 1500;

    private static ConceptProbe probe(boolean concepts) {
        return ConceptProbe.collect(AnalysisFixtures.GPT, AnalysisFixtures.TOKENIZER, AnalysisFixtures.RESID,
                AnalysisFixtures.CONTEXT, Corpus.of(AnalysisFixtures.WORLD), TOKENS, concepts);
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"RELU", "TOP_K"})
    void givesTheConceptTableAndDensitiesOfAFeatureAnalysisPassOverTheSameTokens(Architecture architecture) {
        Sae sae = AnalysisFixtures.sae(architecture, 32, 24, 21);
        AnalysisResult analysis = FeatureAnalysis.run(AnalysisFixtures.subject(sae), Corpus.of(AnalysisFixtures.WORLD),
                AnalysisConfig.of(TOKENS, true), null, FeatureAnalysis.Listener.NONE);
        ConceptProbe probe = probe(true);
        ConceptProbe.Score score = probe.score(sae);
        assertEquals(analysis.tokens(), probe.tokens());
        assertEquals(analysis.concepts(), score.concepts());
        assertTrue(score.concepts().rows().stream().anyMatch(r -> r.f1() > 0), "some concept should match");
        List<FeatureCard> cards = analysis.atlas().features();
        double l0 = 0;
        for (int j = 0; j < sae.dSae(); j++) {
            assertEquals(cards.get(j).density(), score.density()[j], 1e-12, "feature " + j);
            l0 += score.density()[j];
        }
        assertEquals(l0, score.l0(), 1e-9, "L0 is the sum of the densities");
    }

    @Test
    void fvuIsTheReconstructionErrorOverTheVarianceOfTheHeldTokens() {
        Sae sae = AnalysisFixtures.sae(Architecture.RELU, 32, 24, 5);
        int t = AnalysisFixtures.CONTEXT;
        int bos = AnalysisFixtures.TOKENIZER.bosId();
        int[] stream = AnalysisFixtures.WORLD.documents().limit(200)
                .flatMapToInt(doc -> IntStream.concat(IntStream.of(bos),
                        Arrays.stream(AnalysisFixtures.TOKENIZER.encode(doc))))
                .toArray();
        List<float[]> rows = new ArrayList<>();
        long analysed = 0;
        int end = 0;
        while (analysed < TOKENS) {
            analysed += stream[end++] != bos ? 1 : 0;
        }
        GptState state = GptState.forInference(AnalysisFixtures.CONFIG, 1, t);
        for (int from = 0; from < end; from += t) {
            int len = Math.min(t, end - from);
            int[] ids = Arrays.copyOfRange(stream, from, from + len);
            float[] act = AnalysisFixtures.GPT.forwardTo(state, ids, 1, len, AnalysisFixtures.RESID, null);
            for (int r = 0; r < len; r++) {
                if (ids[r] != bos) {
                    rows.add(Arrays.copyOfRange(act, r * 32, r * 32 + 32));
                }
            }
        }
        double[] mean = new double[32];
        for (float[] x : rows) {
            for (int c = 0; c < 32; c++) {
                mean[c] += x[c] / (double) rows.size();
            }
        }
        double error = 0;
        double variance = 0;
        for (float[] x : rows) {
            float[] xHat = sae.decode(sae.encode(x, 1), 1);
            for (int c = 0; c < 32; c++) {
                error += (x[c] - xHat[c]) * (double) (x[c] - xHat[c]);
                variance += (x[c] - mean[c]) * (x[c] - mean[c]);
            }
        }
        assertEquals(TOKENS, rows.size());
        assertEquals(error / variance, probe(false).score(sae).fvu(), 1e-4 * error / variance);
    }

    @Test
    void withoutConceptsThereIsNoTableAndAnSaeOfAnotherWidthIsRefused() {
        ConceptProbe probe = probe(false);
        assertNull(probe.score(AnalysisFixtures.sae(Architecture.RELU, 32, 8, 3)).concepts());
        assertEquals(32, probe.width());
        NanolensException e = assertThrows(NanolensException.class,
                () -> probe.score(AnalysisFixtures.sae(Architecture.RELU, 16, 8, 3)));
        assertTrue(e.getMessage().contains("16") && e.getMessage().contains("32"), e.getMessage());
    }
}
