package io.nanolens.cli;

import io.nanolens.eval.EvalReport;

import java.util.Locale;

/**
 * An {@link EvalReport} as the readable table {@code ./nanolens eval} prints (and the demo after it): the
 * reconstruction, sparsity and next-token numbers under short headings, then the log10 feature-density histogram
 * as a bar chart from its first to its last non-empty bin.
 */
final class EvalTable {
    private static final int BAR = 40;   // characters of the histogram's longest bar

    private EvalTable() {
    }

    /** The table for an SAE of {@code dSae} latents, lines ending in a newline. */
    static String format(EvalReport r, int dSae) {
        StringBuilder s = new StringBuilder();
        s.append("reconstruction\n");
        row(s, "MSE", r.mse(), "");
        row(s, "FVU", r.fvu(), String.format(Locale.ROOT, "explained variance %.1f %%", 100 * (1 - r.fvu())));
        row(s, "cosine similarity", r.cosineSimilarity(), "");
        s.append("sparsity\n");
        row(s, "L0", r.l0(), "latents per token");
        row(s, "L1", r.l1(), "");
        row(s, "dead fraction", r.deadFraction(), String.format(Locale.ROOT, "%d of %d latents never fired",
                Math.round(r.deadFraction() * dSae), dSae));
        row(s, "dense fraction", r.denseFraction(), "fire on more than 10 % of tokens");
        s.append("next-token loss (nats per token)\n");
        row(s, "CE clean", r.ceClean(), "");
        row(s, "CE with SAE", r.ceWithSae(), "the hook replaced by the reconstruction");
        row(s, "CE zero ablation", r.ceZeroAblation(), "the hook set to zero");
        row(s, "CE loss recovered", r.ceLossRecovered(), "1 = as good as the model, 0 = as bad as ablation");
        row(s, "KL divergence", r.klDivergence(), "from the clean next-token distribution");
        s.append("log10 feature density (latents per bin)\n");
        histogram(s, r.log10DensityHistogram().edges(), r.log10DensityHistogram().counts());
        return s.toString();
    }

    private static void row(StringBuilder s, String name, double value, String note) {
        String number = Double.isFinite(value) ? String.format(Locale.ROOT, "%10.4f", value) : String.format("%10s",
                "undefined");
        s.append(String.format(Locale.ROOT, "  %-20s%s%s%n", name, number, note.isEmpty() ? "" : "   " + note));
    }

    private static void histogram(StringBuilder s, double[] edges, long[] counts) {
        int first = 0;
        int last = counts.length - 1;
        while (first < last && counts[first] == 0) {
            first++;
        }
        while (last > first && counts[last] == 0) {
            last--;
        }
        long max = 1;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        for (int i = first; i <= last; i++) {
            int bar = (int) Math.round((double) counts[i] * BAR / max);
            s.append(String.format(Locale.ROOT, "  [%5.1f, %5.1f%s %8d  %s%n", edges[i], edges[i + 1],
                    i == counts.length - 1 ? "]" : ")", counts[i], "#".repeat(bar)));
        }
    }
}
