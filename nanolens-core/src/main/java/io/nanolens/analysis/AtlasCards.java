package io.nanolens.analysis;

import io.nanolens.explorer.ActivatingContext;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.explorer.Histogram;
import io.nanolens.explorer.Neighbour;
import io.nanolens.explorer.TokenEffect;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The atlas's card list, one card per feature in index order, each built when it is read from the pass's compact
 * state (accumulators, logit and neighbour arrays, concept counts), so 16k cards never sit in memory at once:
 * {@link io.nanolens.explorer.StaticExplorer} reads them one by one, a server reads the one a page asks for. A
 * feature that never fired gets an empty card with its logit effects and neighbours (they come from the weights).
 */
final class AtlasCards extends AbstractList<FeatureCard> implements RandomAccess {
    /** Shown for a logit id beyond the tokenizer's vocabulary (a padded unembedding), as SAEDashboard does. */
    static final String OUT_OF_RANGE = "<|outofrange|>";

    private final CorpusStatistics stats;
    private final LogitEffects logits;
    private final DecoderNeighbours neighbours;
    private final Map<Integer, String> contrastPrefix;
    private final String[] vocab;

    AtlasCards(CorpusStatistics stats, LogitEffects logits, DecoderNeighbours neighbours,
               Map<Integer, String> contrastPrefix, String[] vocab) {
        this.stats = stats;
        this.logits = logits;
        this.neighbours = neighbours;
        this.contrastPrefix = Map.copyOf(contrastPrefix);
        this.vocab = vocab;
    }

    @Override
    public int size() {
        return stats.features.length;
    }

    @Override
    public FeatureCard get(int j) {
        FeatureAccumulator a = stats.features[Objects.checkIndex(j, size())];
        List<ActivatingContext> top = a == null ? List.of() : a.topContexts(vocab);
        String label = AutoLabel.of(top);
        String prefix = contrastPrefix.get(j);
        if (prefix != null) {
            label = label.isEmpty() ? prefix : prefix + " " + label;
        }
        long fires = a == null ? 0 : a.fires;
        return new FeatureCard(j, label, (double) fires / stats.tokens, a == null ? 0f : a.max,
                stats.concepts == null || a == null ? null : stats.concepts.best(j, fires), top,
                a == null ? List.of() : a.quantileGroups(vocab), a == null ? Histogram.EMPTY : a.histogram(),
                effects(logits.promotedIds, logits.promotedValues, j), effects(logits.suppressedIds,
                logits.suppressedValues, j), nearest(j));
    }

    private List<TokenEffect> effects(int[] ids, float[] values, int j) {
        List<TokenEffect> out = new ArrayList<>(logits.n);
        for (int i = j * logits.n; i < (j + 1) * logits.n; i++) {
            out.add(new TokenEffect(ids[i] < vocab.length ? vocab[ids[i]] : OUT_OF_RANGE, values[i]));
        }
        return out;
    }

    private List<Neighbour> nearest(int j) {
        List<Neighbour> out = new ArrayList<>(neighbours.n);
        for (int i = j * neighbours.n; i < (j + 1) * neighbours.n; i++) {
            out.add(new Neighbour(neighbours.ids[i], neighbours.cosines[i]));
        }
        return out;
    }
}
