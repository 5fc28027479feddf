package io.nanolens.explorer;

import java.util.List;

/**
 * Contexts sampled from one activation interval of a feature, so the page shows how it behaves at moderate
 * strength and not only at its maximum: SAEDashboard's interval groups ({@code bin_min}, {@code bin_max},
 * {@code bin_contains}).
 *
 * @param low      lower bound of the interval's activations
 * @param high     upper bound, {@code >= low}
 * @param fraction share of the feature's non-zero activations that fall in the interval, in [0, 1]
 * @param contexts the sampled contexts; each peak's activation lies in [low, high]
 */
public record QuantileGroup(float low, float high, double fraction, List<ActivatingContext> contexts) {
    public QuantileGroup {
        if (!Float.isFinite(low) || !Float.isFinite(high) || low > high) {
            throw new IllegalArgumentException("quantile range must be finite with low <= high, got [" + low + ", "
                    + high + "]");
        }
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("quantile fraction must be in [0, 1], got " + fraction);
        }
        contexts = List.copyOf(contexts);
    }
}
