package io.nanolens.explorer;

/**
 * A nearby feature: another feature whose decoder direction points the same way, with the cosine of the two
 * directions. A cosine near 1 marks a near-duplicate (feature splitting or absorption), as SAEDashboard's
 * {@code correlated_features_*} rows do for activations.
 *
 * @param index  the other feature's index, in [0, d_sae)
 * @param cosine cosine of the two decoder rows, in [-1, 1]
 */
public record Neighbour(int index, float cosine) {
    /** Rounding slack: a cosine computed in float may overshoot ±1 by a few ulps. */
    private static final float COSINE_SLACK = 1e-4f;

    public Neighbour {
        if (index < 0) {
            throw new IllegalArgumentException("neighbour index must be >= 0, got " + index);
        }
        if (!(Math.abs(cosine) <= 1 + COSINE_SLACK)) {
            throw new IllegalArgumentException("cosine of neighbour " + index + " must be in [-1, 1], got " + cosine);
        }
    }
}
