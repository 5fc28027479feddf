package io.nanolens.sae.train;

import io.nanolens.NanolensException;

/**
 * The geometric median of a sample of rows — the point minimising the summed Euclidean distance to them — by
 * Weiszfeld's iteration, in float64: start at the mean, then repeatedly take the mean weighted by 1/distance.
 * OpenAI and dictionary_learning start b_dec there: unlike the mean it is not dragged by the few huge-norm rows
 * residual streams have.
 */
public final class GeometricMedian {
    /** Iterations OpenAI's and the PyTorch baseline's init use. */
    public static final int DEFAULT_ITERATIONS = 20;
    // A row this close to the estimate would get an infinite weight; clamp as the references do.
    private static final double MIN_DISTANCE = 1e-8;

    private GeometricMedian() {
    }

    /** The median of {@code rows} rows of width {@code d} stored row-major in {@code x}. */
    public static float[] of(float[] x, int rows, int d, int iterations) {
        if (rows < 1 || d < 1 || x.length < (long) rows * d) {
            throw new NanolensException("geometric median needs at least one row of width " + d + "; got " + rows
                    + " rows in " + x.length + " values");
        }
        double[] y = new double[d];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                y[j] += x[r * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            y[j] /= rows;
        }
        double[] next = new double[d];
        for (int it = 0; it < iterations; it++) {
            java.util.Arrays.fill(next, 0);
            double weights = 0;
            for (int r = 0; r < rows; r++) {
                double dist = 0;
                for (int j = 0; j < d; j++) {
                    double diff = x[r * d + j] - y[j];
                    dist += diff * diff;
                }
                double w = 1 / Math.max(Math.sqrt(dist), MIN_DISTANCE);
                weights += w;
                for (int j = 0; j < d; j++) {
                    next[j] += w * x[r * d + j];
                }
            }
            for (int j = 0; j < d; j++) {
                y[j] = next[j] / weights;
            }
        }
        float[] out = new float[d];
        for (int j = 0; j < d; j++) {
            out[j] = (float) y[j];
        }
        return out;
    }
}
