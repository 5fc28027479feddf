package io.nanolens.analysis;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Tensor;
import io.nanolens.tensor.TopK;

/**
 * Each feature's nearest features by the cosine of their decoder rows (a cosine near 1 marks a split or absorbed
 * feature). The rows are normalised once, then the cosine matrix Ŵ·Ŵᵀ is formed {@value #BLOCK} rows at a time,
 * each block's own entries masked, and the top n kept per row: memory is the normalised copy [m, d] plus one
 * [block, m] block, never the [m, m] matrix (16k features: 16 MB a block instead of 1 GB). A zero decoder row has
 * cosine 0 with everything. Equal cosines go to the lower index.
 */
final class DecoderNeighbours {
    private static final int BLOCK = 256;

    final int n;
    final int[] ids;        // [m, n] nearest first
    final float[] cosines;  // [m, n]

    private DecoderNeighbours(int m, int n) {
        this.n = n;
        ids = new int[m * n];
        cosines = new float[m * n];
    }

    /** The {@code n} nearest other features of each of the m rows of {@code wDec} [m, d] (fewer if m ≤ n). */
    static DecoderNeighbours compute(float[] wDec, int m, int d, int n) {
        int keep = Math.min(n, m - 1);
        DecoderNeighbours out = new DecoderNeighbours(m, keep);
        if (keep == 0) {
            return out;
        }
        float[] unit = Tensor.unitRows(wDec, m, d);
        int block = Math.min(BLOCK, m);
        float[] cos = new float[block * m];
        int[] ids = new int[block * keep];
        float[] values = new float[block * keep];
        for (int start = 0; start < m; start += block) {
            int rows = Math.min(block, m - start);
            Matmul.abT(unit, start * d, unit, 0, cos, 0, rows, d, m, false);
            for (int r = 0; r < rows; r++) {
                cos[r * m + start + r] = Float.NEGATIVE_INFINITY;
            }
            TopK.topK(cos, rows, m, keep, ids, values);
            System.arraycopy(ids, 0, out.ids, start * keep, rows * keep);
            System.arraycopy(values, 0, out.cosines, start * keep, rows * keep);
        }
        return out;
    }
}
