package io.nanolens.model;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    private static final GptConfig C = TestGpts.SMALL;

    @Test
    void greedyPicksTheArgmaxAtTemperatureZero() {
        SplittableRandom random = new SplittableRandom(51);
        Sampler greedy = new Sampler(0f, 5, 1);
        for (int trial = 0; trial < 50; trial++) {
            float[] logits = new float[3 + 40];
            int best = 0;
            for (int j = 0; j < 40; j++) {
                logits[3 + j] = (float) random.nextGaussian();
                best = logits[3 + j] > logits[3 + best] ? j : best;
            }
            assertEquals(best, greedy.sample(logits, 3, 40));
        }
    }

    @Test
    void greedyGenerationEqualsArgmaxOfFullForwards() {
        Gpt gpt = TestGpts.model(C, 52);
        int[] prompt = {3, 9, 1};
        int[] generated = Sampler.greedy().generate(gpt, prompt, 6);
        int[] sequence = Arrays.copyOf(prompt, prompt.length + 6);
        for (int i = 0; i < 6; i++) {
            int len = prompt.length + i;
            GptState state = GptState.forInference(C, 1, len);
            gpt.forward(state, Arrays.copyOf(sequence, len), 1, len, null, null);
            int best = 0;
            for (int j = 1; j < C.vocabSize(); j++) {
                float[] l = state.logits();
                best = l[(len - 1) * C.vocabSize() + j] > l[(len - 1) * C.vocabSize() + best] ? j : best;
            }
            sequence[len] = best;
            assertEquals(best, generated[i], "token " + i);
        }
    }

    @Test
    void aSeedReproducesAGeneration() {
        Gpt gpt = TestGpts.model(C, 53);
        int[] a = new Sampler(1f, 0, 7).generate(gpt, new int[] {1, 2}, 20);
        int[] b = new Sampler(1f, 0, 7).generate(gpt, new int[] {1, 2}, 20);
        int[] other = new Sampler(1f, 0, 8).generate(gpt, new int[] {1, 2}, 20);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, other));
    }

    @Test
    void topKDrawsOnlyAmongTheKLargest() {
        float[] logits = {0.5f, 3f, -1f, 2.9f, 0f, 2.8f, 1f};
        Sampler sampler = new Sampler(5f, 3, 54);
        int[] counts = new int[logits.length];
        for (int i = 0; i < 3000; i++) {
            counts[sampler.sample(logits, 0, logits.length)]++;
        }
        assertEquals(3000, counts[1] + counts[3] + counts[5]);
        assertTrue(counts[1] > 800 && counts[3] > 800 && counts[5] > 800, Arrays.toString(counts));
    }

    @Test
    void samplingFrequenciesFollowTheTemperedSoftmax() {
        float[] logits = {1f, 0f, 2f, -1f};
        float temperature = 2f;
        Sampler sampler = new Sampler(temperature, 0, 55);
        int draws = 40_000;
        int[] counts = new int[4];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits, 0, 4)]++;
        }
        double total = 0;
        for (float l : logits) {
            total += Math.exp(l / temperature);
        }
        for (int j = 0; j < 4; j++) {
            double p = Math.exp(logits[j] / temperature) / total;
            double sd = Math.sqrt(p * (1 - p) / draws);
            assertEquals(p, counts[j] / (double) draws, 5 * sd, "token " + j);
        }
    }

    @Test
    void generationStopsAfterTheStopToken() {
        Gpt gpt = TestGpts.model(C, 56);
        int[] all = Sampler.greedy().generate(gpt, new int[] {4}, 8);
        int[] stopped = Sampler.greedy().generate(gpt, new int[] {4}, 8, null, token -> token == all[2]);
        int firstStop = 0;
        while (all[firstStop] != all[2]) {
            firstStop++;
        }
        assertArrayEquals(Arrays.copyOf(all, firstStop + 1), stopped);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(NanolensException.class, () -> new Sampler(-0.5f, 0, 1));
        assertThrows(NanolensException.class, () -> new Sampler(Float.NaN, 0, 1));
        assertThrows(NanolensException.class, () -> new Sampler(1f, -2, 1));
        Gpt gpt = TestGpts.model(C, 57);
        assertThrows(NanolensException.class, () -> Sampler.greedy().generate(gpt, new int[0], 3));
        assertThrows(NanolensException.class, () -> Sampler.greedy().generate(gpt, new int[] {1}, C.maxPositions()));
    }
}
