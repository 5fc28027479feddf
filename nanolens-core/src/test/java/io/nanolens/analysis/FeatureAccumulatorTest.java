package io.nanolens.analysis;

import io.nanolens.explorer.ActivatingContext;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.explorer.Histogram;
import io.nanolens.explorer.QuantileGroup;
import io.nanolens.sae.Architecture;
import io.nanolens.text.Corpus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureAccumulatorTest {
    private static final long SEED = 3;

    /** Feeds one feature the values in order (token i = value i, a window of one token) and returns it. */
    private static FeatureAccumulator feed(AnalysisConfig config, float[] values) {
        return feed(config, values, 0, values.length, values.length);
    }

    /**
     * Feeds a new accumulator tokens [from, to) of the stream {@code values}, at their stream positions, in
     * contexts of {@code time} tokens (windows end at context edges; both bounds are multiples of time).
     */
    private static FeatureAccumulator feed(AnalysisConfig config, float[] values, int from, int to, int time) {
        int n = to - from;
        Pass pass = new Pass(Math.max(1, n), 1, -1, config.windowRadius());
        pass.latents = Arrays.copyOfRange(values, from, to);
        pass.contexts = n / time;
        pass.time = time;
        pass.rows = n;
        pass.firstPosition = from;
        for (int i = 0; i < n; i++) {
            pass.ids[i] = from + i;
        }
        pass.computeWindows();
        FeatureAccumulator a = new FeatureAccumulator(config);
        for (int r = 0; r < n; r++) {
            a.offer(pass, r, 0, pass.latents[r], CorpusStatistics.sampleKey(SEED, from + r, 0));
        }
        return a;
    }

    private static String[] names(int n) {
        return IntStream.range(0, n).mapToObj(i -> "t" + i).toArray(String[]::new);
    }

    /**
     * Three quarters of the values spread over (0, M] for a maximum M that grows from 2^-10 to 2^10 (the range doubles
     * 20 times while every band fills), then the rest uniform in (0, 2^10], so every band holds many values, most of
     * which went through merges.
     */
    private static float[] wideValues(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        int rising = 3 * n / 4;
        for (int i = 0; i < n; i++) {
            double top = i < rising ? Math.scalb(1.0, -10 + 20 * (i + 1) / rising) : 1024;
            v[i] = (float) (top * (1 - random.nextDouble()));
        }
        return v;
    }

    private static AnalysisConfig config() {
        return AnalysisConfig.of(1, false).withContexts(7, 0, 8, 5).withLists(32, 1, 1).withSeed(SEED);
    }

    @Test
    void histogramCountsSurviveEveryDoublingOfTheRange() {
        float[] values = wideValues(5000, 1);
        FeatureAccumulator a = feed(config(), values);
        Histogram h = a.histogram();
        float[] edges = h.edges();
        float max = 0;
        for (float v : values) {
            max = Math.max(max, v);
        }
        float width = edges[1] - edges[0];
        double range = 32.0 * width;
        assertTrue(range >= max && range / 2 < max, "range " + range + " for max " + max);
        long[] expected = new long[h.counts().length];
        for (float v : values) {
            expected[(int) Math.min(31, Math.floor(v / (double) width))]++;
        }
        assertEquals(Arrays.toString(expected), Arrays.toString(h.counts()));
        assertEquals(values.length, a.fires);
        assertEquals(max, a.max);
    }

    @Test
    void bandSamplesAreTheSmallestKeysOfTheirFinalBand() {
        AnalysisConfig config = config();
        float[] values = wideValues(4000, 2);
        FeatureAccumulator a = feed(config, values);
        float[] edges = a.histogram().edges();
        double bandWidth = (edges[1] - edges[0]) * 32.0 / 8;
        String[] vocab = names(values.length);
        List<QuantileGroup> groups = a.quantileGroups(vocab);
        int overflowing = 0;
        for (QuantileGroup g : groups) {
            int band = (int) Math.round(g.low() / bandWidth);
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                if (Math.min(7, (int) Math.floor(values[i] / bandWidth)) == band) {
                    members.add(i);
                }
            }
            overflowing += members.size() > 5 ? 1 : 0;
            List<String> expected = members.stream()
                    .sorted(Comparator.comparingLong(i -> CorpusStatistics.sampleKey(SEED, i, 0)))
                    .limit(5).sorted(Comparator.comparingDouble((Integer i) -> -values[i])).map(i -> vocab[i])
                    .toList();
            List<String> sampled = g.contexts().stream().map(c -> c.tokens().getFirst()).toList();
            assertEquals(expected, sampled, "band " + band);
            assertEquals((double) members.size() / values.length, g.fraction(), 1e-12);
        }
        assertTrue(overflowing >= 6, "too few bands overflow: " + overflowing);
        assertTrue(a.keptWindows() <= config.windowsPerFeature());
    }

    @Test
    void topContextsKeepTheEarliestTokenAmongEqualValues() {
        SplittableRandom random = new SplittableRandom(4);
        float[] values = new float[600];
        for (int i = 0; i < values.length; i++) {
            values[i] = 1 + random.nextInt(12); // many ties
        }
        FeatureAccumulator a = feed(config(), values);
        List<String> expected = IntStream.range(0, values.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -values[i]).thenComparingInt(i -> i))
                .limit(7).map(i -> "t" + i).toList();
        List<String> top = a.topContexts(names(values.length)).stream().map(c -> c.tokens().getFirst()).toList();
        assertEquals(expected, top);
    }

    @Test
    void mergedPartsHoldExactlyWhatTheWholeStreamLeaves() {
        int time = 10;
        AnalysisConfig config = config().withContexts(7, 2, 8, 5);
        SplittableRandom random = new SplittableRandom(5);
        float[] wide = wideValues(3000, 6);
        float[] values = new float[4000];
        for (int i = 0; i < values.length; i++) {
            // ties, values far below and above the others, and the wide spread that makes the range double
            values[i] = i % 4 == 0 ? 1 + random.nextInt(6) : wide[(i * 7) % wide.length];
        }
        values[3100] = 5000;
        String[] vocab = names(values.length);
        FeatureAccumulator whole = feed(config, values, 0, values.length, time);
        for (int trial = 0; trial < 6; trial++) {
            int parts = 2 + trial % 4;
            int[] cuts = random.ints(parts - 1, 0, values.length / time + 1).map(c -> c * time).sorted().toArray();
            List<FeatureAccumulator> pieces = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                int from = p == 0 ? 0 : cuts[p - 1];
                int to = p == parts - 1 ? values.length : cuts[p];
                pieces.add(feed(config, values, from, to, time));
            }
            Collections.shuffle(pieces, new Random(trial));
            FeatureAccumulator merged = pieces.getFirst();
            pieces.subList(1, parts).forEach(merged::merge);
            String where = "trial " + trial + ", cuts " + Arrays.toString(cuts);
            assertEquals(whole.fires, merged.fires, where);
            assertEquals(whole.max, merged.max, where);
            assertEquals(whole.histogram(), merged.histogram(), where);
            assertEquals(whole.topContexts(vocab), merged.topContexts(vocab), where);
            assertEquals(whole.quantileGroups(vocab), merged.quantileGroups(vocab), where);
            assertTrue(merged.keptWindows() <= config.windowsPerFeature(), where);
        }
    }

    @Test
    void mergingAnAccumulatorThatNeverFiredChangesNothing() {
        AnalysisConfig config = config();
        float[] values = wideValues(500, 8);
        String[] vocab = names(values.length);
        FeatureAccumulator whole = feed(config, values);
        FeatureAccumulator merged = feed(config, values);
        merged.merge(new FeatureAccumulator(config));
        FeatureAccumulator empty = new FeatureAccumulator(config);
        empty.merge(feed(config, values));
        for (FeatureAccumulator a : List.of(merged, empty)) {
            assertEquals(whole.fires, a.fires);
            assertEquals(whole.histogram(), a.histogram());
            assertEquals(whole.topContexts(vocab), a.topContexts(vocab));
            assertEquals(whole.quantileGroups(vocab), a.quantileGroups(vocab));
        }
    }

    @Test
    void perFeatureStructuresStayCappedWhateverTheCorpusLength() {
        AnalysisSubject subject = AnalysisFixtures.subject(AnalysisFixtures.sae(Architecture.RELU, 32, 24, 13));
        AnalysisConfig small = AnalysisFixtures.config(300, false);
        AnalysisConfig large = AnalysisFixtures.config(3000, false);
        Corpus corpus = Corpus.of(AnalysisFixtures.WORLD);
        CorpusStatistics few = CorpusStatistics.collect(subject, corpus, small, FeatureAnalysis.Listener.NONE);
        CorpusStatistics many = CorpusStatistics.collect(subject, corpus, large, FeatureAnalysis.Listener.NONE);
        assertEquals(3000, many.tokens);
        int full = 0;
        for (int j = 0; j < 24; j++) {
            for (CorpusStatistics stats : List.of(few, many)) {
                FeatureAccumulator a = stats.features[j];
                if (a != null) {
                    assertEquals(large.windowsPerFeature(), a.windowSlots());
                    assertTrue(a.keptWindows() <= a.windowSlots());
                }
            }
            full += many.features[j] != null && many.features[j].keptWindows() >= large.topContexts()
                    + large.samplesPerBand() * 2 ? 1 : 0;
        }
        assertTrue(full > 5, "too few features fill their structures: " + full);
        AnalysisResult result = FeatureAnalysis.run(subject, corpus, large, null, FeatureAnalysis.Listener.NONE);
        for (FeatureCard card : result.atlas().features()) {
            assertTrue(card.topContexts().size() <= large.topContexts());
            assertTrue(card.quantiles().size() <= large.bands());
            card.quantiles().forEach(g -> assertTrue(g.contexts().size() <= large.samplesPerBand()));
            assertTrue(card.histogram().counts().length <= large.histogramBins());
            for (ActivatingContext c : card.topContexts()) {
                assertTrue(c.tokens().size() <= large.windowLength());
            }
        }
    }
}
