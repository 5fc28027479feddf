package io.nanolens.analysis;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Contrastive labelling: how differently every feature fires on two labelled text sets A and B (say honest and
 * deceptive texts), as the deception-labelling notebook of nanochat-SAE compares them. Over every analysed token of
 * a set (BOS excluded, a token where the feature is silent counts as 0) it takes the mean activation μ and the
 * population variance σ², then the difference μA − μB and the standardised score
 * <pre>  d = (μA − μB) / √((σA² + σB²) / 2 + ε²),  ε = 1e-6</pre>
 * (Cohen's d with the two variances averaged). Unlike a t statistic, d does not grow with the number of tokens, so a
 * rare feature that separates the sets cleanly ranks above a frequent one that shifts a little; ε keeps d finite
 * for a feature that is constant on both sets. Rows are ranked by |d|, largest first (lowest index among equals):
 * d > 0 means the feature fires more on A.
 *
 * @param nameA   the first set's name (its file name without extension)
 * @param nameB   the second set's name
 * @param tokensA analysed tokens of A
 * @param tokensB analysed tokens of B
 * @param rows    every feature, ranked
 */
public record ContrastTable(String nameA, String nameB, long tokensA, long tokensB, List<Row> rows) {

    /** Keeps d finite for a feature that is constant on both sets. */
    public static final double EPSILON = 1e-6;

    /**
     * One feature's contrast.
     *
     * @param feature    the feature's index
     * @param meanA      mean activation over A's tokens
     * @param meanB      mean activation over B's tokens
     * @param difference meanA − meanB
     * @param score      the standardised difference d
     * @param densityA   fraction of A's tokens it fires on
     * @param densityB   fraction of B's tokens it fires on
     */
    public record Row(int feature, double meanA, double meanB, double difference, double score, double densityA,
                      double densityB) {
    }

    public ContrastTable {
        Objects.requireNonNull(nameA, "nameA");
        Objects.requireNonNull(nameB, "nameB");
        rows = List.copyOf(rows);
    }

    /** The {@code limit} highest-ranked rows as aligned text lines with a header. */
    public String toText(int limit) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%8s %10s %10s %10s %8s %9s %9s%n",
                "feature", "mean " + abbreviate(nameA), "mean " + abbreviate(nameB), "A - B", "d", "dens A",
                "dens B"));
        for (Row r : rows.subList(0, Math.min(limit, rows.size()))) {
            out.append(String.format(Locale.ROOT, "%8d %10.4f %10.4f %10.4f %8.2f %9.4f %9.4f%n", r.feature(),
                    r.meanA(), r.meanB(), r.difference(), r.score(), r.densityA(), r.densityB()));
        }
        return out.toString();
    }

    private static String abbreviate(String name) {
        return name.length() <= 5 ? name : name.substring(0, 5);
    }
}
