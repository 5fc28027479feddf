package io.nanolens.analysis;

import io.nanolens.explorer.FeatureAtlas;

import java.util.Objects;

/**
 * What {@link FeatureAnalysis#run} returns: the atlas for the explorer ({@link io.nanolens.explorer.StaticExplorer}
 * or a live server; its cards are built on demand from the pass's compact state), the concept table, the contrast
 * table, and how fast the corpus pass ran.
 *
 * @param atlas       one card per feature, built when read
 * @param concepts    the best feature per ground-truth concept, or null when concepts were not scored
 * @param contrast    features ranked by how differently they fire on two text sets, or null without them
 * @param tokens      corpus tokens analysed (BOS excluded)
 * @param passSeconds wall time of the corpus pass (model, SAE and statistics), without weights and contrast
 */
public record AnalysisResult(FeatureAtlas atlas, ConceptTable concepts, ContrastTable contrast, long tokens,
                             double passSeconds) {
    public AnalysisResult {
        Objects.requireNonNull(atlas, "atlas");
    }

    /** Corpus tokens per second of the pass. */
    public double tokensPerSecond() {
        return passSeconds > 0 ? tokens / passSeconds : Double.NaN;
    }
}
