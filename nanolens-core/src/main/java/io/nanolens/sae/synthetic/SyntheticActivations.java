package io.nanolens.sae.synthetic;

import io.nanolens.NanolensException;

import java.util.SplittableRandom;

/**
 * Activations built from a known dictionary, the ground truth an SAE should recover: {@code features} random unit
 * directions in {@code dim} dimensions, feature i firing with a Zipf-like probability p_i ∝ (i + 1)^−exponent scaled
 * so that on average {@code meanActive} fire per row, each with a positive magnitude around 1, plus isotropic
 * Gaussian noise. The first {@code correlatedFraction} of the features come in groups of {@code groupSize} that only
 * fire together with their group's shared event (each member keeps its own marginal probability), the kind of
 * structure that tempts an SAE to merge or absorb features. Rows are a deterministic function of the seed.
 *
 * @param dim                dimension of an activation, d
 * @param features           number of true features, m_true
 * @param meanActive         expected number of features firing in a row (the true L0)
 * @param exponent           Zipf exponent of the firing probabilities (0 = all equally frequent)
 * @param groupSize          members of a correlated group
 * @param correlatedFraction fraction of the features (from the most frequent) that belong to groups
 * @param noise              standard deviation of the Gaussian noise per dimension
 * @param seed               seed of the dictionary and of the rows
 */
public record SyntheticActivations(int dim, int features, double meanActive, double exponent, int groupSize,
                                   double correlatedFraction, double noise, long seed) {

    public SyntheticActivations {
        if (dim < 1 || features < 1) {
            throw new NanolensException("synthetic activations need dim ≥ 1 and features ≥ 1, got dim " + dim
                    + ", features " + features);
        }
        if (!(meanActive > 0) || meanActive > features) {
            throw new NanolensException("mean active features must be in (0, " + features + "], got " + meanActive);
        }
        if (groupSize < 1 || !(correlatedFraction >= 0 && correlatedFraction <= 1) || !(noise >= 0)
                || !(exponent >= 0)) {
            throw new NanolensException("synthetic activations: group size ≥ 1, correlated fraction in [0, 1], "
                    + "noise ≥ 0 and exponent ≥ 0 are required");
        }
    }

    /** A small default: Zipf 0.5, a quarter of the features in pairs, a little noise. */
    public static SyntheticActivations of(int dim, int features, double meanActive, long seed) {
        return new SyntheticActivations(dim, features, meanActive, 0.5, 2, 0.25, 0.01, seed);
    }

    /** The true unit directions, row-major [features, dim]. */
    public float[] directions() {
        SplittableRandom random = new SplittableRandom(seed);
        float[] dirs = new float[features * dim];
        for (int f = 0; f < features; f++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                double g = random.nextGaussian();
                dirs[f * dim + j] = (float) g;
                norm += g * g;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < dim; j++) {
                dirs[f * dim + j] *= inv;
            }
        }
        return dirs;
    }

    /** Firing probability of each feature: Zipf-shaped, summing to {@code meanActive}, none above 1. */
    public double[] firingProbabilities() {
        double[] p = new double[features];
        for (int i = 0; i < features; i++) {
            p[i] = Math.pow(i + 1, -exponent);
        }
        // Scale to the wanted sum; clipping at 1 frees mass that is spread again over the unclipped ones.
        for (int round = 0; round < 64; round++) {
            double clipped = 0;
            double free = 0;
            for (double x : p) {
                if (x >= 1) {
                    clipped++;
                } else {
                    free += x;
                }
            }
            double scale = (meanActive - clipped) / free;
            boolean changed = false;
            for (int i = 0; i < features; i++) {
                if (p[i] < 1) {
                    p[i] *= scale;
                    if (p[i] > 1) {
                        p[i] = 1;
                        changed = true;
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        return p;
    }

    /** A stream of rows; each call to {@link Stream#next} continues where the previous one stopped. */
    public Stream stream() {
        return new Stream(this);
    }

    /** Draws rows of a {@link SyntheticActivations}; also reports which features fired, for checks. */
    public static final class Stream {
        private final SyntheticActivations spec;
        private final float[] directions;
        private final double[] probability;
        private final double[] groupProbability;   // per feature: its group's event probability (1 if ungrouped)
        private final int[] group;                 // per feature: group id, or -1
        private final SplittableRandom random;

        private Stream(SyntheticActivations spec) {
            this.spec = spec;
            this.directions = spec.directions();
            this.probability = spec.firingProbabilities();
            this.group = new int[spec.features];
            this.groupProbability = new double[spec.features];
            int grouped = (int) Math.round(spec.correlatedFraction * spec.features) / spec.groupSize * spec.groupSize;
            for (int f = 0; f < spec.features; f++) {
                group[f] = spec.groupSize > 1 && f < grouped ? f / spec.groupSize : -1;
                groupProbability[f] = 1;
            }
            // A group's event fires as often as its most frequent member; members fire only inside the event.
            for (int f = 0; f < grouped; f += spec.groupSize) {
                double max = 0;
                for (int i = f; i < f + spec.groupSize; i++) {
                    max = Math.max(max, probability[i]);
                }
                for (int i = f; i < f + spec.groupSize; i++) {
                    groupProbability[i] = max;
                }
            }
            this.random = new SplittableRandom(spec.seed ^ 0x5DEECE66DL);
        }

        /**
         * Fills {@code out} [rows, dim] with the next rows. If {@code active} is not null it receives, per row,
         * whether each feature fired ([rows, features]).
         */
        public void next(int rows, float[] out, boolean[] active) {
            int d = spec.dim;
            int m = spec.features;
            for (int r = 0; r < rows; r++) {
                int at = r * d;
                for (int j = 0; j < d; j++) {
                    out[at + j] = (float) (spec.noise * random.nextGaussian());
                }
                int lastGroup = -1;
                boolean on = false;
                for (int f = 0; f < m; f++) {
                    boolean fires;
                    if (group[f] >= 0) {
                        if (group[f] != lastGroup) {
                            lastGroup = group[f];
                            on = random.nextDouble() < groupProbability[f];
                        }
                        fires = on && random.nextDouble() < probability[f] / groupProbability[f];
                    } else {
                        fires = random.nextDouble() < probability[f];
                    }
                    if (active != null) {
                        active[r * m + f] = fires;
                    }
                    if (fires) {
                        float magnitude = (float) Math.max(0.1, 1 + 0.25 * random.nextGaussian());
                        int dir = f * d;
                        for (int j = 0; j < d; j++) {
                            out[at + j] += magnitude * directions[dir + j];
                        }
                    }
                }
            }
        }
    }
}
