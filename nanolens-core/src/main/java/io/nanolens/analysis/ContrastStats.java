package io.nanolens.analysis;

import io.nanolens.tensor.Parallel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Running sums for {@link ContrastTable}, one set at a time: per feature the sum and sum of squares of its
 * activation (in double) and how often it fired, plus the set's token count. Fixed size: 3 × d_sae numbers.
 */
final class ContrastStats {
    private static final int GRAIN = 256; // features per parallel chunk
    private final double[] sum;
    private final double[] sumSquares;
    private final long[] fires;
    private long tokens;

    ContrastStats(int m) {
        sum = new double[m];
        sumSquares = new double[m];
        fires = new long[m];
    }

    /** Adds the pass's analysed tokens; features are split over threads. */
    void add(Pass pass) {
        int m = pass.m;
        float[] f = pass.latents;
        for (int r = 0; r < pass.rows; r++) {
            tokens += pass.analysed(r) ? 1 : 0;
        }
        Parallel.forRange(m, GRAIN, (from, to) -> {
            for (int r = 0; r < pass.rows; r++) {
                if (!pass.analysed(r)) {
                    continue;
                }
                for (int j = from; j < to; j++) {
                    float v = f[r * m + j];
                    if (v != 0) {
                        sum[j] += v;
                        sumSquares[j] += (double) v * v;
                        fires[j]++;
                    }
                }
            }
        });
    }

    long tokens() {
        return tokens;
    }

    /** Every feature of sets a and b, ranked by |d|. */
    static ContrastTable table(String nameA, ContrastStats a, String nameB, ContrastStats b) {
        List<ContrastTable.Row> rows = new ArrayList<>(a.sum.length);
        for (int j = 0; j < a.sum.length; j++) {
            double meanA = a.mean(j);
            double meanB = b.mean(j);
            double pooled = (a.variance(j) + b.variance(j)) / 2 + ContrastTable.EPSILON * ContrastTable.EPSILON;
            rows.add(new ContrastTable.Row(j, meanA, meanB, meanA - meanB, (meanA - meanB) / Math.sqrt(pooled),
                    a.density(j), b.density(j)));
        }
        rows.sort(Comparator.comparingDouble((ContrastTable.Row r) -> -Math.abs(r.score()))
                .thenComparingInt(ContrastTable.Row::feature));
        return new ContrastTable(nameA, nameB, a.tokens, b.tokens, rows);
    }

    private double mean(int j) {
        return tokens == 0 ? 0 : sum[j] / tokens;
    }

    private double variance(int j) {
        if (tokens == 0) {
            return 0;
        }
        double mean = sum[j] / tokens;
        return Math.max(0, sumSquares[j] / tokens - mean * mean);
    }

    private double density(int j) {
        return tokens == 0 ? 0 : (double) fires[j] / tokens;
    }
}
