package io.nanolens.eval;

import io.nanolens.tensor.Parallel;

/**
 * The downstream half of an SAE evaluation: what splicing the SAE into the model costs in next-token prediction.
 * Each pass gives it the logits of three forward passes over the same tokens (clean, with the SAE's reconstruction
 * at the hook, with the hook zero-ablated), in that order; it keeps only running sums in double precision and the
 * current pass's clean logits. Definitions (over the scored positions t, those with a next-token target; SAELens
 * evals.py {@code get_recons_loss}, shared/docs/SAE.md §4):
 * <ul>
 * <li>CE = (1/N) Σ_t −log p(target_t) for each of the three runs;</li>
 * <li>CE-loss recovered = (CE_zero − CE_sae) / (CE_zero − CE_clean): 1 when the SAE costs nothing, 0 when it is
 * as bad as deleting the activation (NaN when ablation changes nothing);</li>
 * <li>KL = (1/N) Σ_t Σ_v p_clean(v) (log p_clean(v) − log p_sae(v)), the divergence of the spliced model's
 * next-token distribution from the clean one.</li>
 * </ul>
 * Rows are scored in parallel; their sums are added in row order, so results do not depend on the thread count.
 */
public final class DownstreamMetrics {
    private static final int GRAIN = 8;   // rows per parallel chunk; a row is a few V-long loops

    private final int vocab;
    private final int maxRows;
    private final float[] clean;          // [maxRows, V] clean logits of the current pass
    private final double[] cleanLse;      // [maxRows] log Σ exp of each clean row
    private final int[] targets;          // [maxRows] next-token id, < 0 = not scored
    private final double[] rowCe;         // [maxRows] per-row cross-entropy of the run being added
    private final double[] rowKl;         // [maxRows] per-row KL of the spliced run
    private int rows;
    private boolean splicedDone;
    private boolean ablatedDone;
    private long positions;
    private double ceCleanSum;
    private double ceSaeSum;
    private double ceZeroSum;
    private double klSum;

    /** Empty sums for a model of {@code vocab} tokens and passes of at most {@code maxRows} rows. */
    public DownstreamMetrics(int vocab, int maxRows) {
        if (vocab < 1 || maxRows < 1 || (long) vocab * maxRows > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("vocabulary " + vocab + " × rows " + maxRows + " must be ≥ 1 and fit "
                    + "one array");
        }
        this.vocab = vocab;
        this.maxRows = maxRows;
        clean = new float[maxRows * vocab];
        cleanLse = new double[maxRows];
        targets = new int[maxRows];
        rowCe = new double[maxRows];
        rowKl = new double[maxRows];
    }

    /**
     * Starts a pass with the clean run's logits.
     *
     * @param logits        [rows, V] the clean model's logits (copied)
     * @param targetsOfPass [rows] the next-token id of each row, negative for a row that is not scored
     * @param passRows      rows of this pass, at most the constructor's maxRows
     */
    public void clean(float[] logits, int[] targetsOfPass, int passRows) {
        if (passRows < 0 || passRows > maxRows) {
            throw new IllegalArgumentException("pass of " + passRows + " rows for at most " + maxRows);
        }
        rows = passRows;
        System.arraycopy(logits, 0, clean, 0, rows * vocab);
        System.arraycopy(targetsOfPass, 0, targets, 0, rows);
        Parallel.forRange(rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                cleanLse[r] = logSumExp(clean, r * vocab);
                rowCe[r] = targets[r] < 0 ? 0 : cleanLse[r] - clean[r * vocab + targets[r]];
            }
        });
        for (int r = 0; r < rows; r++) {
            if (targets[r] >= 0) {
                positions++;
                ceCleanSum += rowCe[r];
            }
        }
        splicedDone = false;
        ablatedDone = false;
    }

    /** Adds the run with the SAE spliced in: its cross-entropy and its KL divergence from the clean run. */
    public void spliced(float[] logits) {
        if (splicedDone) {
            throw new IllegalStateException("spliced logits were already added for this pass; call clean first");
        }
        Parallel.forRange(rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (targets[r] >= 0) {
                    double lse = logSumExp(logits, r * vocab);
                    rowCe[r] = lse - logits[r * vocab + targets[r]];
                    rowKl[r] = divergence(logits, r, lse);
                }
            }
        });
        for (int r = 0; r < rows; r++) {
            if (targets[r] >= 0) {
                ceSaeSum += rowCe[r];
                klSum += rowKl[r];
            }
        }
        splicedDone = true;
    }

    /** Adds the run with the hook zero-ablated: its cross-entropy. */
    public void ablated(float[] logits) {
        if (ablatedDone) {
            throw new IllegalStateException("ablated logits were already added for this pass; call clean first");
        }
        Parallel.forRange(rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (targets[r] >= 0) {
                    rowCe[r] = logSumExp(logits, r * vocab) - logits[r * vocab + targets[r]];
                }
            }
        });
        for (int r = 0; r < rows; r++) {
            if (targets[r] >= 0) {
                ceZeroSum += rowCe[r];
            }
        }
        ablatedDone = true;
    }

    /** Σ_v p_clean (log p_clean − log p_patched) of row r, the patched row's log-normaliser given. */
    private double divergence(float[] patched, int r, double patchedLse) {
        int off = r * vocab;
        double lse = cleanLse[r];
        double kl = 0;
        for (int v = 0; v < vocab; v++) {
            double logP = clean[off + v] - lse;
            kl += Math.exp(logP) * (logP - (patched[off + v] - patchedLse));
        }
        return kl;
    }

    /** log Σ_v exp(x[off + v]) in double, shifted by the row's maximum. */
    private double logSumExp(float[] x, int off) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, x[off + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(x[off + v] - max);
        }
        return max + Math.log(sum);
    }

    /** Scored positions so far. */
    public long positions() {
        return positions;
    }

    /** Mean cross-entropy of the clean model. */
    public double ceClean() {
        return ceCleanSum / positions;
    }

    /** Mean cross-entropy with the SAE's reconstruction spliced in at the hook. */
    public double ceWithSae() {
        return ceSaeSum / positions;
    }

    /** Mean cross-entropy with the hook's activation set to zero. */
    public double ceZeroAblation() {
        return ceZeroSum / positions;
    }

    /** (CE_zero − CE_sae) / (CE_zero − CE_clean), NaN when zero ablation leaves the loss unchanged. */
    public double ceLossRecovered() {
        double denominator = ceZeroSum - ceCleanSum;
        return denominator == 0 ? Double.NaN : (ceZeroSum - ceSaeSum) / denominator;
    }

    /** Mean KL divergence of the spliced model's next-token distribution from the clean model's. */
    public double klDivergence() {
        return klSum / positions;
    }
}
