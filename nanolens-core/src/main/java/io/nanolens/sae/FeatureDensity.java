package io.nanolens.sae;

/**
 * How often each latent of an SAE fires on a set of activation rows: the feature density SAELens records in
 * {@code sparsity.safetensors} (as log10, see {@link SaeDirectory#log10Density}) and dashboards plot as a
 * histogram. It sits at the end of the SAE stage: a trained SAE, a sample of its activations, one fraction per
 * latent. A latent fires on a row when its inference activation is positive.
 */
public final class FeatureDensity {
    /** Rows encoded at once: bounds the dense [rows, d_sae] latent buffer whatever the sample's size. */
    private static final int CHUNK_ROWS = 1024;

    private FeatureDensity() {
    }

    /**
     * The fraction of the first {@code rows} rows of x [rows, d_in] on which each latent fires ([d_sae], zeros
     * when there are no rows).
     */
    public static float[] of(Sae sae, float[] x, int rows) {
        int d = sae.dIn();
        int m = sae.dSae();
        if (rows < 0 || (long) rows * d > x.length) {
            throw new IllegalArgumentException(rows + " rows of " + d + " values do not fit in " + x.length);
        }
        long[] counts = new long[m];
        float[] chunk = new float[Math.min(Math.max(rows, 1), CHUNK_ROWS) * d];
        for (int from = 0; from < rows; from += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, rows - from);
            System.arraycopy(x, from * d, chunk, 0, n * d);
            float[] f = sae.encode(chunk, n);
            for (int r = 0; r < n; r++) {
                for (int i = 0, o = r * m; i < m; i++) {
                    if (f[o + i] > 0) {
                        counts[i]++;
                    }
                }
            }
        }
        float[] density = new float[m];
        for (int i = 0; i < m && rows > 0; i++) {
            density[i] = (float) ((double) counts[i] / rows);
        }
        return density;
    }
}
