package io.nanolens.eval;

import java.util.Arrays;

/**
 * The reconstruction and sparsity half of an SAE evaluation, kept as running sums in double precision so that memory
 * does not grow with the token count: feed it the evaluated rows x [rows, d], their reconstructions x̂ [rows, d] and
 * latents f [rows, m] pass by pass. Definitions (t over evaluated tokens, N of them; SAELens evals.py, SAEBench
 * core, sparsify's FVU; shared/docs/SAE.md §4):
 * <ul>
 * <li>MSE = (1/N) Σ_t Σ_d (x̂ − x)², the SAE training loss per token;</li>
 * <li>FVU = Σ_t ‖x − x̂‖² / Σ_t ‖x − x̄‖², x̄ the mean of x over the evaluated tokens (sparsify's FVU; explained
 * variance = 1 − FVU); the denominator is accumulated around the first row, x − x₀, so that a large common
 * offset in x does not cancel away the variance;</li>
 * <li>cosine similarity = (1/N) Σ_t x·x̂ / max(‖x‖·‖x̂‖, 1e-8) (a zero reconstruction scores 0, as in PyTorch);</li>
 * <li>L0 = (1/N) Σ_t #{i : f_i ≠ 0}, L1 = (1/N) Σ_t Σ_i |f_i| (every architecture here gives f ≥ 0, so these are
 * SAELens's f > 0 and Σ f);</li>
 * <li>density of latent i = #{t : f_i ≠ 0} / N; dead = density 0 (never fired in the evaluation); dense = density
 * above {@value #DENSE_THRESHOLD}; the histogram is over log10(density + 1e-10).</li>
 * </ul>
 */
public final class ReconstructionMetrics {
    /** A latent firing on more than this fraction of tokens is dense (SAEBench core's 10 % line). */
    public static final double DENSE_THRESHOLD = 0.1;
    /** PyTorch's cosine_similarity floor for the product of the norms. */
    static final double COSINE_EPS = 1e-8;

    private final int d;
    private final int m;
    private final long[] fires;          // [m] evaluated tokens on which latent i was non-zero
    private final double[] origin;       // [d] the first row, which the variance sums are taken around
    private final double[] offsetSum;    // [d] Σ_t (x − origin)
    private double offsetSquares;        // Σ_t ‖x − origin‖²
    private double squaredError;         // Σ_t ‖x − x̂‖²
    private double cosineSum;
    private double l0Sum;
    private double l1Sum;
    private long tokens;

    /** Empty sums for an SAE of {@code dIn} inputs and {@code dSae} latents. */
    public ReconstructionMetrics(int dIn, int dSae) {
        if (dIn < 1 || dSae < 1) {
            throw new IllegalArgumentException("d_in and d_sae must be ≥ 1, got " + dIn + ", " + dSae);
        }
        d = dIn;
        m = dSae;
        fires = new long[m];
        origin = new double[d];
        offsetSum = new double[d];
    }

    /**
     * Adds {@code rows} evaluated tokens.
     *
     * @param x    [rows, d] the activations
     * @param xHat [rows, d] their reconstructions
     * @param f    [rows, m] their latents
     */
    public void add(float[] x, float[] xHat, float[] f, int rows) {
        if ((long) rows * d > Math.min(x.length, xHat.length) || (long) rows * m > f.length) {
            throw new IllegalArgumentException(rows + " rows need " + rows * (long) d + " values of x and x̂ and "
                    + rows * (long) m + " of f, got " + x.length + ", " + xHat.length + ", " + f.length);
        }
        if (tokens == 0 && rows > 0) {
            for (int c = 0; c < d; c++) {
                origin[c] = x[c];
            }
        }
        for (int r = 0; r < rows; r++) {
            addRow(x, xHat, r * d);
            addLatents(f, r * m);
        }
        tokens += rows;
    }

    private void addRow(float[] x, float[] xHat, int off) {
        double error = 0;
        double dot = 0;
        double xx = 0;
        double yy = 0;
        for (int c = 0; c < d; c++) {
            double a = x[off + c];
            double b = xHat[off + c];
            error += (b - a) * (b - a);
            dot += a * b;
            xx += a * a;
            yy += b * b;
            double offset = a - origin[c];
            offsetSum[c] += offset;
            offsetSquares += offset * offset;
        }
        squaredError += error;
        cosineSum += dot / Math.max(Math.sqrt(xx) * Math.sqrt(yy), COSINE_EPS);
    }

    private void addLatents(float[] f, int off) {
        int active = 0;
        double sum = 0;
        for (int i = 0; i < m; i++) {
            float v = f[off + i];
            if (v != 0) {
                active++;
                sum += Math.abs(v);
                fires[i]++;
            }
        }
        l0Sum += active;
        l1Sum += sum;
    }

    /** Evaluated tokens so far. */
    public long tokens() {
        return tokens;
    }

    /** Mean over tokens of Σ_d (x̂ − x)². */
    public double mse() {
        return squaredError / tokens;
    }

    /** Σ‖x − x̂‖² / Σ‖x − x̄‖² (NaN when every evaluated x is the same vector). */
    public double fvu() {
        double centred = offsetSquares;
        for (int c = 0; c < d; c++) {
            centred -= offsetSum[c] * offsetSum[c] / tokens;
        }
        return centred > 0 ? squaredError / centred : Double.NaN;
    }

    /** Mean over tokens of cos(x, x̂). */
    public double cosineSimilarity() {
        return cosineSum / tokens;
    }

    /** Mean number of non-zero latents per token. */
    public double l0() {
        return l0Sum / tokens;
    }

    /** Mean Σ|f| per token. */
    public double l1() {
        return l1Sum / tokens;
    }

    /** [m] each latent's firing fraction over the evaluated tokens (a new array). */
    public double[] density() {
        double[] density = new double[m];
        for (int i = 0; i < m; i++) {
            density[i] = (double) fires[i] / tokens;
        }
        return density;
    }

    /** Fraction of latents that never fired. */
    public double deadFraction() {
        return (double) Arrays.stream(fires).filter(c -> c == 0).count() / m;
    }

    /** Fraction of latents firing on more than {@value #DENSE_THRESHOLD} of the tokens. */
    public double denseFraction() {
        return (double) Arrays.stream(density()).filter(p -> p > DENSE_THRESHOLD).count() / m;
    }

    /** The log10 firing-density histogram of every latent. */
    public DensityHistogram densityHistogram() {
        return DensityHistogram.of(density());
    }
}
