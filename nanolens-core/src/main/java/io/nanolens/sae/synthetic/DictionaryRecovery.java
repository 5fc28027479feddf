package io.nanolens.sae.synthetic;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Tensor;

/**
 * How well a learned dictionary recovers a true one: for every true feature the largest cosine similarity with any
 * learned decoder row; their mean is the MMCS (mean max cosine similarity, Sharkey et al. 2022), and the fraction of
 * true features whose best match exceeds a threshold (0.9 by convention) counts the features found.
 *
 * @param mmcs          mean over true features of the best cosine with a learned row
 * @param recovered     fraction of true features with a best cosine above {@code threshold}
 * @param threshold     the cosine a match must exceed to count as recovered
 * @param bestCosine    per true feature, its best cosine
 */
public record DictionaryRecovery(double mmcs, double recovered, double threshold, double[] bestCosine) {

    /** The conventional threshold of a recovered feature. */
    public static final double DEFAULT_THRESHOLD = 0.9;

    /**
     * Scores learned decoder rows against true directions.
     *
     * @param truth   true directions [trueCount, dim] (need not be unit length)
     * @param learned learned decoder rows [learnedCount, dim]; zero rows never match
     */
    public static DictionaryRecovery score(float[] truth, int trueCount, float[] learned, int learnedCount, int dim,
                                           double threshold) {
        if (truth.length < (long) trueCount * dim || learned.length < (long) learnedCount * dim) {
            throw new NanolensException("dictionary recovery: arrays are smaller than their stated shapes ["
                    + trueCount + ", " + dim + "] and [" + learnedCount + ", " + dim + "]");
        }
        float[] t = Tensor.unitRows(truth, trueCount, dim);
        float[] l = Tensor.unitRows(learned, learnedCount, dim);
        float[] cos = new float[trueCount * learnedCount];
        Matmul.abT(t, l, cos, trueCount, dim, learnedCount, false);
        double[] best = new double[trueCount];
        double sum = 0;
        int above = 0;
        for (int i = 0; i < trueCount; i++) {
            double max = learnedCount == 0 ? 0 : Double.NEGATIVE_INFINITY;
            for (int j = 0; j < learnedCount; j++) {
                max = Math.max(max, cos[i * learnedCount + j]);
            }
            best[i] = max;
            sum += max;
            if (max > threshold) {
                above++;
            }
        }
        return new DictionaryRecovery(trueCount == 0 ? 0 : sum / trueCount,
                trueCount == 0 ? 0 : (double) above / trueCount, threshold, best);
    }
}
