package io.nanolens.sae.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DictionaryRecoveryTest {

    @Test
    void aShuffledRescaledCopyOfTheTruthIsFullyRecovered() {
        int m = 37;
        int d = 19;
        float[] truth = SyntheticActivations.of(d, m, 3, 1).directions();
        float[] learned = new float[(m + 5) * d];
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < m; i++) {
            int to = (i * 11) % m;       // a permutation, as 11 and 37 are coprime
            float scale = (float) (0.5 + random.nextDouble());
            for (int j = 0; j < d; j++) {
                learned[to * d + j] = scale * truth[i * d + j];
            }
        }
        DictionaryRecovery score = DictionaryRecovery.score(truth, m, learned, m + 5, d, 0.9);
        assertEquals(1, score.mmcs(), 1e-5);
        assertEquals(1, score.recovered(), 0);
    }

    @Test
    void bestCosineIsTheMaximumOverLearnedRowsComputedNaively() {
        int m = 9;
        int d = 7;
        int learnedCount = 13;
        SplittableRandom random = new SplittableRandom(5);
        float[] truth = new float[m * d];
        float[] learned = new float[learnedCount * d];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < learned.length; i++) {
            learned[i] = (float) random.nextGaussian();
        }
        DictionaryRecovery score = DictionaryRecovery.score(truth, m, learned, learnedCount, d, 0.5);
        double sum = 0;
        int above = 0;
        for (int i = 0; i < m; i++) {
            double best = -2;
            for (int l = 0; l < learnedCount; l++) {
                double dot = 0;
                double nt = 0;
                double nl = 0;
                for (int j = 0; j < d; j++) {
                    dot += (double) truth[i * d + j] * learned[l * d + j];
                    nt += (double) truth[i * d + j] * truth[i * d + j];
                    nl += (double) learned[l * d + j] * learned[l * d + j];
                }
                best = Math.max(best, dot / Math.sqrt(nt * nl));
            }
            assertEquals(best, score.bestCosine()[i], 1e-5);
            sum += best;
            above += best > 0.5 ? 1 : 0;
        }
        assertEquals(sum / m, score.mmcs(), 1e-5);
        assertEquals(above / (double) m, score.recovered(), 0);
        assertTrue(score.mmcs() < 0.9, "random dictionaries should not look recovered");
    }
}
