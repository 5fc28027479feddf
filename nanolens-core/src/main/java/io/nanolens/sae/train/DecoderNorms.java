package io.nanolens.sae.train;

import io.nanolens.tensor.Parallel;

/**
 * The unit-norm decoder constraint of OpenAI's and sparsify's TopK SAEs: before the step the component of each
 * W_dec row's gradient parallel to the row is removed (a move along the row would only change its norm), after
 * the step every row is scaled back to norm 1. Rows are independent, so the work is split across cores by row.
 */
final class DecoderNorms {
    private static final int GRAIN = 64;

    private DecoderNorms() {
    }

    /** Scales each of the {@code rows} rows of width {@code d} to unit length (zero rows stay zero). */
    static void normalizeRows(float[] w, int rows, int d) {
        Parallel.forRange(rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                double norm = 0;
                for (int j = r * d, end = j + d; j < end; j++) {
                    norm += (double) w[j] * w[j];
                }
                if (norm > 0) {
                    float inv = (float) (1 / Math.sqrt(norm));
                    for (int j = r * d, end = j + d; j < end; j++) {
                        w[j] *= inv;
                    }
                }
            }
        });
    }

    /** g_r ← g_r − (g_r·w_r) w_r / ‖w_r‖² for each row r. */
    static void removeParallelGradient(float[] w, float[] g, int rows, int d) {
        Parallel.forRange(rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                double dot = 0;
                double norm = 0;
                for (int j = r * d, end = j + d; j < end; j++) {
                    dot += (double) g[j] * w[j];
                    norm += (double) w[j] * w[j];
                }
                if (norm > 0) {
                    float c = (float) (dot / norm);
                    for (int j = r * d, end = j + d; j < end; j++) {
                        g[j] -= c * w[j];
                    }
                }
            }
        });
    }
}
