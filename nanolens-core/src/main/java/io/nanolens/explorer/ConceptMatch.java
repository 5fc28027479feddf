package io.nanolens.explorer;

import java.util.Objects;

/**
 * How well a feature matches one ground-truth concept (a tinyworld label): treating "the feature fires on a token"
 * as a prediction of "the token belongs to the concept", the precision, recall and their harmonic mean F1 over the
 * analysed tokens. A card holds its best match, the concept with the highest F1.
 *
 * @param concept   the concept's name, one of {@link FeatureAtlas#conceptNames()}
 * @param precision fraction of firing tokens that carry the concept, in [0, 1]
 * @param recall    fraction of the concept's tokens on which the feature fires, in [0, 1]
 * @param f1        2·P·R / (P + R), in [0, 1]
 */
public record ConceptMatch(String concept, double precision, double recall, double f1) {
    public ConceptMatch {
        Objects.requireNonNull(concept, "concept");
        checkUnit("precision", precision);
        checkUnit("recall", recall);
        checkUnit("f1", f1);
    }

    private static void checkUnit(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
        }
    }
}
