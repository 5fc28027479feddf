package io.nanolens.sae.store;

import io.nanolens.NanolensException;

import java.io.Serial;
import java.io.Serializable;

/**
 * The activation normalisation SAELens calls {@code expected_average_only_in}: one factor s = √width / mean‖x‖
 * over a sample of rows, so that the scaled rows s·x have mean L2 norm √width (d_in) whatever the hook's natural
 * scale, and one set of hyperparameters (l1 coefficient, learning rate) suits every layer. The SAE trains on s·x;
 * on save the factor is folded back into the weights (W_enc·s, W_dec/s, b_dec/s), so the saved SAE takes raw
 * activations. Follows SAELens {@code ActivationScaler} / {@code estimate_norm_scaling_factor}. Accumulates in
 * double precision; feed it rows with {@link #add} or let {@link #estimate} read a stream, and {@link #merge} the
 * estimates of parts of the rows made on several machines.
 */
public final class ActivationScaler implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** SAELens's {@code normalize_activations} value for this scheme. */
    public static final String NORMALIZE_ACTIVATIONS = "expected_average_only_in";
    /** SAELens estimates from 1000 batches of 4096 tokens; a million rows pins the mean norm to well under 1 %. */
    public static final long DEFAULT_SAMPLE_ROWS = 1L << 20;

    private final int width;
    private double normSum;
    private long rows;

    /** An empty estimate for rows of {@code width} values. */
    public ActivationScaler(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, got " + width);
        }
        this.width = width;
    }

    /**
     * Reads up to {@code sampleRows} rows of {@code stream} (consuming them) and returns their scaling factor.
     *
     * @throws NanolensException if the stream holds no rows
     */
    public static double estimate(ActivationStream stream, long sampleRows) {
        ActivationScaler scaler = new ActivationScaler(stream.width());
        int chunk = (int) Math.max(1, Math.min(sampleRows, Math.max(1, (1 << 20) / stream.width())));
        float[] buffer = new float[chunk * stream.width()];
        while (scaler.rows < sampleRows) {
            int n = stream.read(buffer, 0, (int) Math.min(chunk, sampleRows - scaler.rows));
            if (n == 0) {
                break;
            }
            scaler.add(buffer, 0, n);
        }
        if (scaler.rows == 0) {
            throw new NanolensException("cannot estimate the activation scale: the stream holds no rows; use a "
                    + "corpus with at least one full context");
        }
        return scaler.scalingFactor();
    }

    /** Adds rows {@code [fromRow, fromRow + count)} of {@code values} ([rows, width] row-major). */
    public void add(float[] values, int fromRow, int count) {
        for (int r = fromRow; r < fromRow + count; r++) {
            double squares = 0;
            for (int i = r * width; i < (r + 1) * width; i++) {
                squares += (double) values[i] * values[i];
            }
            normSum += Math.sqrt(squares);
        }
        rows += count;
    }

    /**
     * Adds the rows another estimate has seen. The sum of norms is a double sum in another order, so the factor
     * may differ from one estimate over all rows in its last bits (relative 1e-15 per part).
     *
     * @throws IllegalArgumentException if the widths differ
     */
    public void merge(ActivationScaler other) {
        if (other.width != width) {
            throw new IllegalArgumentException("cannot merge rows of width " + other.width + " into width " + width);
        }
        normSum += other.normSum;
        rows += other.rows;
    }

    /** Rows added so far. */
    public long rows() {
        return rows;
    }

    /** Mean L2 norm of the rows added (0 before any). */
    public double meanNorm() {
        return rows == 0 ? 0 : normSum / rows;
    }

    /** √width / mean‖x‖; 1 when there is nothing to scale (no rows, or every row is zero). */
    public double scalingFactor() {
        double mean = meanNorm();
        return mean > 0 ? Math.sqrt(width) / mean : 1;
    }
}
