package io.nanolens.explorer;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The result of analysing one SAE over a corpus, as the explorer shows it: which model, hook point and SAE were
 * analysed, over how many tokens, the names of the ground-truth concepts (tinyworld's labels; empty for a corpus
 * without them) and one {@link FeatureCard} per feature. The last stage of the data walk (corpus → tokens →
 * activations → SAE → report); {@link StaticExplorer} turns it into pages.
 *
 * <p>The card list is kept as given, not copied, so an analysis pass may hand over a list that builds each card on
 * demand from its own compact storage: {@link StaticExplorer#write} reads every card once, in order.
 *
 * @param modelName      the model analysed (its directory or name)
 * @param hookName       TransformerLens hook name the SAE reads, e.g. {@code blocks.2.hook_resid_post}
 * @param saeName        the SAE (its directory or name)
 * @param architecture   the SAE's architecture name, e.g. {@code topk}
 * @param dSae           the SAE's number of features
 * @param tokensAnalysed corpus tokens the statistics were computed over
 * @param conceptNames   ground-truth concept names, possibly empty
 * @param features       cards in increasing index order, each index in [0, dSae); a feature may be left out
 */
public record FeatureAtlas(String modelName, String hookName, String saeName, String architecture, int dSae,
                           long tokensAnalysed, List<String> conceptNames, List<FeatureCard> features) {
    public FeatureAtlas {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(hookName, "hookName");
        Objects.requireNonNull(saeName, "saeName");
        Objects.requireNonNull(architecture, "architecture");
        if (dSae <= 0) {
            throw new IllegalArgumentException("d_sae must be > 0, got " + dSae);
        }
        if (tokensAnalysed < 0) {
            throw new IllegalArgumentException("tokens analysed must be >= 0, got " + tokensAnalysed);
        }
        conceptNames = List.copyOf(conceptNames);
        features = Collections.unmodifiableList(Objects.requireNonNull(features, "features"));
    }
}
