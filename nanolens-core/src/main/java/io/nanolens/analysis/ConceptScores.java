package io.nanolens.analysis;

import io.nanolens.explorer.ConceptMatch;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The counts behind {@link ConceptTable}: per concept the analysed tokens that carry it, and per feature and concept
 * the tokens where the feature fires and the token carries the concept (hits). Precision = hits / fires, recall =
 * hits / concept tokens, F1 = 2·hits / (fires + concept tokens). Fixed size: d_sae × concepts counters, which
 * parts of a corpus {@link #merge} by adding.
 */
final class ConceptScores implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final List<String> names;
    private final int concepts;
    private final long[] hits;          // [m, C]
    private final long[] conceptTokens; // [C]

    ConceptScores(List<String> names, int m) {
        this.names = List.copyOf(names);
        this.concepts = names.size();
        this.hits = new long[Math.multiplyExact(m, concepts)];
        this.conceptTokens = new long[concepts];
    }

    /** Counts the concept tokens among the pass's analysed tokens. */
    void countTokens(Pass pass) {
        for (int r = 0; r < pass.rows; r++) {
            if (pass.analysed(r)) {
                countToken(pass.masks[r]);
            }
        }
    }

    /** Counts one analysed token with concept mask {@code mask}. */
    void countToken(int mask) {
        for (int bits = mask; bits != 0; bits &= bits - 1) {
            conceptTokens[Integer.numberOfTrailingZeros(bits)]++;
        }
    }

    /** Feature {@code feature} fired on a token with concept mask {@code mask}; one thread per feature. */
    void hit(int feature, int mask) {
        for (int bits = mask; bits != 0; bits &= bits - 1) {
            hits[feature * concepts + Integer.numberOfTrailingZeros(bits)]++;
        }
    }

    /** Adds the counts of another part of the corpus, scored against the same concepts. */
    void merge(ConceptScores other) {
        assert names.equals(other.names) && hits.length == other.hits.length : "scores of other concepts or widths";
        for (int i = 0; i < hits.length; i++) {
            hits[i] += other.hits[i];
        }
        for (int c = 0; c < concepts; c++) {
            conceptTokens[c] += other.conceptTokens[c];
        }
    }

    /** The concept the feature matches with the highest F1, or null if it matches none (F1 = 0 everywhere). */
    ConceptMatch best(int feature, long fires) {
        int best = -1;
        double bestF1 = 0;
        for (int c = 0; c < concepts; c++) {
            double f1 = f1(hits[feature * concepts + c], fires, conceptTokens[c]);
            if (f1 > bestF1) {
                best = c;
                bestF1 = f1;
            }
        }
        return best < 0 ? null : match(best, feature, fires);
    }

    /** Per concept the feature with the highest F1, given every feature's firing count. */
    ConceptTable table(long[] fires, long tokens) {
        List<ConceptTable.Row> rows = new ArrayList<>(concepts);
        for (int c = 0; c < concepts; c++) {
            int best = -1;
            double bestF1 = 0;
            for (int j = 0; j < fires.length; j++) {
                double f1 = f1(hits[j * concepts + c], fires[j], conceptTokens[c]);
                if (f1 > bestF1) {
                    best = j;
                    bestF1 = f1;
                }
            }
            if (best < 0) {
                rows.add(new ConceptTable.Row(names.get(c), conceptTokens[c], -1, 0, 0, 0));
            } else {
                ConceptMatch m = match(c, best, fires[best]);
                rows.add(new ConceptTable.Row(names.get(c), conceptTokens[c], best, m.precision(), m.recall(),
                        m.f1()));
            }
        }
        return new ConceptTable(tokens, rows);
    }

    private ConceptMatch match(int c, int feature, long fires) {
        long h = hits[feature * concepts + c];
        return new ConceptMatch(names.get(c), (double) h / fires, (double) h / conceptTokens[c],
                f1(h, fires, conceptTokens[c]));
    }

    private static double f1(long hits, long fires, long conceptTokens) {
        return hits == 0 ? 0 : 2.0 * hits / (fires + conceptTokens);
    }
}
