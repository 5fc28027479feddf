package io.nanolens.analysis;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * For each ground-truth concept (TinyWorld's labels) the feature that matches it best: treating "the feature fires
 * (activation > 0) on a token" as a prediction of "the token belongs to the concept" ({@link TokenConcepts}), the
 * precision, recall and F1 over the analysed tokens, and the feature with the highest F1. The number that tells
 * whether an SAE found real features; printed by {@code dashboard} and the demo.
 *
 * @param tokens tokens the scores were counted over
 * @param rows   one row per concept, in the concepts' order
 */
public record ConceptTable(long tokens, List<Row> rows) {

    /**
     * One concept's best feature.
     *
     * @param concept       the concept's name
     * @param conceptTokens analysed tokens that belong to the concept
     * @param feature       the feature with the highest F1 (the lowest index among equals), or -1 if none fired on
     *                      the concept
     * @param precision     of that feature, in [0, 1]
     * @param recall        of that feature, in [0, 1]
     * @param f1            2·P·R/(P + R) = 2·hits/(fires + concept tokens), in [0, 1]
     */
    public record Row(String concept, long conceptTokens, int feature, double precision, double recall, double f1) {
        public Row {
            Objects.requireNonNull(concept, "concept");
        }
    }

    public ConceptTable {
        rows = List.copyOf(rows);
    }

    /** The table as aligned text lines, one per concept, with a header. */
    public String toText() {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-16s %8s %8s %9s %7s %6s%n", "concept",
                "tokens", "feature", "precision", "recall", "F1"));
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "%-16s %8d %8s %9.3f %7.3f %6.3f%n", r.concept(), r.conceptTokens(),
                    r.feature() < 0 ? "-" : Integer.toString(r.feature()), r.precision(), r.recall(), r.f1()));
        }
        return out.toString();
    }
}
