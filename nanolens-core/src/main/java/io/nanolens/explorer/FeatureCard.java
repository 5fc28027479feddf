package io.nanolens.explorer;

import java.util.List;
import java.util.Objects;

/**
 * Everything the explorer shows about one SAE feature (latent): its label and statistics, the corpus contexts it
 * fires on, how its activations are distributed, what its decoder direction does to the logits and which features
 * lie close to it. The analysis pass fills one per feature; it is the content of {@code feature.html?f=N} and of one
 * entry in a static data shard. Field meanings follow SAEDashboard's feature dashboards (FORMATS.md §2.3).
 *
 * @param index         the feature's index, in [0, d_sae)
 * @param label         a short human-readable label (automatic or contrastive), possibly empty
 * @param density       fraction of analysed tokens on which the feature fires (activation > 0), in [0, 1]
 * @param maxActivation the largest activation seen, finite
 * @param bestConcept   the ground-truth concept the feature matches best, or {@code null} when the corpus has none
 * @param topContexts   the contexts with the highest activations, strongest first
 * @param quantiles     contexts sampled from activation intervals, lowest interval first
 * @param histogram     distribution of the non-zero activations
 * @param promoted      tokens whose logits the decoder direction raises most, strongest first
 * @param suppressed    tokens whose logits it lowers most, strongest (most negative) first
 * @param neighbours    nearest features by decoder cosine, nearest first
 */
public record FeatureCard(int index, String label, double density, float maxActivation, ConceptMatch bestConcept,
                          List<ActivatingContext> topContexts, List<QuantileGroup> quantiles, Histogram histogram,
                          List<TokenEffect> promoted, List<TokenEffect> suppressed, List<Neighbour> neighbours) {
    public FeatureCard {
        if (index < 0) {
            throw new IllegalArgumentException("feature index must be >= 0, got " + index);
        }
        Objects.requireNonNull(label, "label");
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("density of feature " + index + " must be in [0, 1], got " + density);
        }
        if (!Float.isFinite(maxActivation)) {
            throw new IllegalArgumentException("max activation of feature " + index + " must be finite, got "
                    + maxActivation);
        }
        Objects.requireNonNull(histogram, "histogram");
        topContexts = List.copyOf(topContexts);
        quantiles = List.copyOf(quantiles);
        promoted = List.copyOf(promoted);
        suppressed = List.copyOf(suppressed);
        neighbours = List.copyOf(neighbours);
    }
}
