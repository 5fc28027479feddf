package io.nanolens.explorer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Seeded feature atlases for the explorer tests: a random one over a subset of the features (so pages must skip
 * the missing ones), and a hostile one whose every corpus-derived string is markup that would run script if a page
 * parsed it as HTML.
 */
final class Atlases {

    static final List<String> CONCEPTS = List.of("animal", "colour", "weather", "quotation");
    static final List<String> WORDS = List.of("cat", "dog", "river", "blue", "green", "rain", "sun", "hill",
            "said", "home", "bread", "stone");

    /** Payloads that would run script or add elements if inserted as HTML or into an attribute. */
    static final List<String> HOSTILE = List.of("<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
            "<img src=x onerror=\"window.__xss=1\">", "'><svg onload=window.__xss=2>", "</script><b>bold</b>",
            "&lt;escaped&gt; & \"quoted\"");

    private Atlases() {
    }

    /** {@code features} cards with distinct sorted indices drawn from [0, dSae), each with a few contexts. */
    static FeatureAtlas random(int features, int dSae, int contexts, int tokens, long seed) {
        Random rng = new Random(seed);
        int[] indices = IntStream.range(0, dSae).toArray();
        for (int i = dSae - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = indices[i];
            indices[i] = indices[j];
            indices[j] = t;
        }
        int[] chosen = IntStream.of(indices).limit(features).sorted().toArray();
        List<FeatureCard> cards = new ArrayList<>(features);
        for (int index : chosen) {
            cards.add(card(index, chosen, contexts, tokens, rng));
        }
        return new FeatureAtlas("tinyworld-d4", "blocks.2.hook_resid_post", "sae-topk-" + dSae, "topk", dSae,
                1_000_000L, CONCEPTS, cards);
    }

    /** A small atlas whose labels, concept names, header fields, tokens and logit tokens are all hostile markup. */
    static FeatureAtlas hostile() {
        List<String> concepts = List.of(HOSTILE.get(0), HOSTILE.get(1));
        List<FeatureCard> cards = new ArrayList<>();
        for (int f = 0; f < HOSTILE.size(); f++) {
            String payload = HOSTILE.get(f);
            List<String> tokens = new ArrayList<>(HOSTILE);
            tokens.add(" plain");
            float[] values = new float[tokens.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (i + 1) * 0.5f;
            }
            ActivatingContext context = new ActivatingContext(tokens, values, values.length - 1);
            cards.add(new FeatureCard(f, payload, 0.01 * (f + 1), values[values.length - 1],
                    new ConceptMatch(concepts.get(f % 2), 0.5, 0.5, 0.5), List.of(context),
                    List.of(new QuantileGroup(0.5f, 1.5f, 0.25, List.of(context))),
                    new Histogram(new float[] {0f, 1f, 2f}, new long[] {3, 1}),
                    List.of(new TokenEffect(payload, 1.5f)), List.of(new TokenEffect(HOSTILE.get(1), -2f)),
                    List.of(new Neighbour((f + 1) % HOSTILE.size(), 0.5f))));
        }
        return new FeatureAtlas(HOSTILE.get(2), HOSTILE.get(0), HOSTILE.get(1), HOSTILE.get(3), 16, 1000,
                concepts, cards);
    }

    private static FeatureCard card(int index, int[] chosen, int contexts, int tokens, Random rng) {
        float max = 0.5f + 10 * rng.nextFloat();
        String label = WORDS.get(rng.nextInt(WORDS.size())) + " " + WORDS.get(rng.nextInt(WORDS.size()));
        double density = Math.pow(rng.nextDouble(), 3) * 0.2;
        ConceptMatch match = null;
        if (rng.nextDouble() < 0.7) {
            double precision = rng.nextDouble();
            double recall = rng.nextDouble();
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            match = new ConceptMatch(CONCEPTS.get(rng.nextInt(CONCEPTS.size())), precision, recall, f1);
        }
        List<ActivatingContext> top = new ArrayList<>();
        for (int c = 0; c < contexts; c++) {
            top.add(context(tokens, max * (1 - 0.1f * c), rng));
        }
        List<QuantileGroup> quantiles = List.of(
                new QuantileGroup(0, max / 2, 0.8, List.of(context(tokens, max / 4, rng))),
                new QuantileGroup(max / 2, max, 0.2, List.of(context(tokens, max * 0.75f, rng))));
        int bins = 10;
        float[] edges = new float[bins + 1];
        long[] counts = new long[bins];
        for (int b = 0; b <= bins; b++) {
            edges[b] = max * b / bins;
        }
        for (int b = 0; b < bins; b++) {
            counts[b] = rng.nextInt(1000);
        }
        List<TokenEffect> promoted = new ArrayList<>();
        List<TokenEffect> suppressed = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            promoted.add(new TokenEffect(" " + WORDS.get(rng.nextInt(WORDS.size())), 2f - 0.3f * t));
            suppressed.add(new TokenEffect(" " + WORDS.get(rng.nextInt(WORDS.size())), -2f + 0.3f * t));
        }
        List<Neighbour> neighbours = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            neighbours.add(new Neighbour(chosen[rng.nextInt(chosen.length)], 0.9f - 0.1f * k));
        }
        return new FeatureCard(index, label, density, max, match, top, quantiles, new Histogram(edges, counts),
                promoted, suppressed, neighbours);
    }

    /** A context of {@code n} words whose peak (a random position) has activation {@code peakValue}. */
    private static ActivatingContext context(int n, float peakValue, Random rng) {
        List<String> tokens = new ArrayList<>(n);
        float[] values = new float[n];
        int peak = rng.nextInt(n);
        for (int i = 0; i < n; i++) {
            tokens.add(" " + WORDS.get(rng.nextInt(WORDS.size())));
            values[i] = i == peak ? peakValue : rng.nextFloat() < 0.5f ? 0f : peakValue * rng.nextFloat();
        }
        return new ActivatingContext(tokens, values, peak);
    }
}
