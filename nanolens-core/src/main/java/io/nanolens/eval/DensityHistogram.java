package io.nanolens.eval;

import io.nanolens.sae.SaeDirectory;

import java.util.Arrays;
import java.util.Objects;

/**
 * How the latents' firing densities spread, on the log10 scale SAELens logs them on (log10(density + 1e-10), so a
 * dead latent sits at −10): bin {@code i} counts the latents whose value lies in [edges[i], edges[i+1]); the first
 * bin also takes values below its lower edge and the last bin its upper edge, so the counts add up to d_sae.
 *
 * @param edges  [bins + 1] strictly increasing
 * @param counts [bins] latents per bin
 */
public record DensityHistogram(double[] edges, long[] counts) {
    /** Lowest edge: log10 of SAELens's 1e-10 offset, where dead latents fall. */
    public static final double LOW = -10;
    /** Highest edge: a latent that fires on every token. */
    public static final double HIGH = 0;
    /** Half a decade per bin. */
    public static final int BINS = 20;

    public DensityHistogram {
        edges = edges.clone();
        counts = counts.clone();
        if (edges.length != counts.length + 1 || counts.length == 0) {
            throw new IllegalArgumentException("a histogram of " + counts.length + " bins needs "
                    + (counts.length + 1) + " edges, got " + edges.length);
        }
        for (int i = 1; i < edges.length; i++) {
            if (!(edges[i] > edges[i - 1])) {
                throw new IllegalArgumentException("edges must increase strictly: " + Arrays.toString(edges));
            }
        }
    }

    /** The histogram of log10(density + 1e-10) over {@link #BINS} equal bins from {@link #LOW} to {@link #HIGH}. */
    public static DensityHistogram of(double[] density) {
        double[] edges = new double[BINS + 1];
        for (int i = 0; i <= BINS; i++) {
            edges[i] = LOW + (HIGH - LOW) * i / BINS;
        }
        long[] counts = new long[BINS];
        for (double p : density) {
            double v = Math.log10(p + SaeDirectory.DENSITY_EPSILON);
            int bin = (int) Math.floor((v - LOW) / (HIGH - LOW) * BINS);
            counts[Math.clamp(bin, 0, BINS - 1)]++;
        }
        return new DensityHistogram(edges, counts);
    }

    @Override
    public double[] edges() {
        return edges.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DensityHistogram that && Arrays.equals(edges, that.edges)
                && Arrays.equals(counts, that.counts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(edges), Arrays.hashCode(counts));
    }

    @Override
    public String toString() {
        return "DensityHistogram[edges=" + Arrays.toString(edges) + ", counts=" + Arrays.toString(counts) + "]";
    }
}
