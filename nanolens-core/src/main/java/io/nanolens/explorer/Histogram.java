package io.nanolens.explorer;

import java.util.Arrays;
import java.util.Objects;

/**
 * A histogram of a feature's non-zero activations over the analysed tokens: bin {@code i} counts the values in
 * [edges[i], edges[i+1]) (the last bin also holds its upper edge). SAEDashboard draws the same plot from 50 bins
 * ({@code freq_hist_data_bar_values}/{@code _heights}). A feature that never fired has no bins.
 *
 * @param edges  [bins + 1] strictly increasing bin edges, or empty when there are no bins
 * @param counts [bins] values per bin, each {@code >= 0}
 */
public record Histogram(float[] edges, long[] counts) {
    /** The histogram of a feature that never fired. */
    public static final Histogram EMPTY = new Histogram(new float[0], new long[0]);

    public Histogram {
        edges = edges.clone();
        counts = counts.clone();
        if (counts.length == 0 ? edges.length != 0 : edges.length != counts.length + 1) {
            throw new IllegalArgumentException("a histogram of " + counts.length + " bins needs "
                    + (counts.length == 0 ? 0 : counts.length + 1) + " edges, got " + edges.length);
        }
        for (int i = 0; i < edges.length; i++) {
            if (!Float.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
                throw new IllegalArgumentException("histogram edges must be finite and strictly increasing: "
                        + Arrays.toString(edges));
            }
        }
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("histogram counts must be >= 0: " + Arrays.toString(counts));
            }
        }
    }

    @Override
    public float[] edges() {
        return edges.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Histogram that && Arrays.equals(edges, that.edges)
                && Arrays.equals(counts, that.counts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(edges), Arrays.hashCode(counts));
    }

    @Override
    public String toString() {
        return "Histogram[edges=" + Arrays.toString(edges) + ", counts=" + Arrays.toString(counts) + "]";
    }
}
