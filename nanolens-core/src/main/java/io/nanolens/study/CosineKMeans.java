package io.nanolens.study;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * k-means on the unit sphere (spherical k-means, Dhillon and Modha 2001, "Concept decompositions for large sparse
 * text data"): the points are unit vectors (an SAE's decoder rows, normalised), a point joins the centroid with the
 * highest cosine, and a centroid is its members' mean scaled back to unit length. Seeded with k-means++ (Arthur and
 * Vassilvitskii 2007) on the distance 1 − cos, so a run is fixed by its seed; a cluster left empty takes the point
 * least like its own centroid. Ties go to the lower cluster index. Cost per iteration: one [n, k] cosine product,
 * n·k·d multiply-adds. Used by {@code study clusters} to group features by decoder direction.
 */
public final class CosineKMeans {

    private CosineKMeans() {
    }

    /**
     * A clustering.
     *
     * @param k          clusters
     * @param assignment [n] each point's cluster
     * @param centroids  [k, d] unit centroids
     * @param iterations assignment rounds run
     * @param meanCosine mean over points of the cosine to their centroid
     */
    public record Result(int k, int[] assignment, float[] centroids, int iterations, double meanCosine) {
        /** Points in cluster {@code c}. */
        public int size(int c) {
            int size = 0;
            for (int a : assignment) {
                size += a == c ? 1 : 0;
            }
            return size;
        }
    }

    /**
     * Clusters the n unit rows of {@code unit} [n, d] into {@code k} groups, iterating until no point moves or
     * {@code maxIterations} rounds have run.
     *
     * @throws IllegalArgumentException unless 1 ≤ k ≤ n
     */
    public static Result fit(float[] unit, int n, int d, int k, long seed, int maxIterations) {
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in 1.." + n + " (the points), got " + k);
        }
        float[] centroids = seeds(unit, n, d, k, new SplittableRandom(seed));
        int[] assignment = new int[n];
        Arrays.fill(assignment, -1);
        float[] cos = new float[n * k];
        int iterations = 0;
        boolean moved = true;
        while (moved && iterations < maxIterations) {
            Matmul.abT(unit, 0, centroids, 0, cos, 0, n, d, k, false);
            moved = assign(cos, n, k, assignment);
            iterations++;
            refillEmpty(cos, n, k, assignment);
            centroids = means(unit, n, d, k, assignment);
        }
        Matmul.abT(unit, 0, centroids, 0, cos, 0, n, d, k, false);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += cos[i * k + assignment[i]];
        }
        return new Result(k, assignment, centroids, iterations, total / n);
    }

    /** k-means++: the first centre uniformly, each next one with probability ∝ (1 − max cos to the chosen)². */
    private static float[] seeds(float[] unit, int n, int d, int k, SplittableRandom random) {
        float[] centres = new float[k * d];
        double[] distance = new double[n];
        Arrays.fill(distance, Double.POSITIVE_INFINITY);
        int chosen = random.nextInt(n);
        for (int c = 0; c < k; c++) {
            System.arraycopy(unit, chosen * d, centres, c * d, d);
            double total = 0;
            for (int i = 0; i < n; i++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += unit[i * d + j] * unit[chosen * d + j];
                }
                double gap = Math.max(0, 1 - dot);
                distance[i] = Math.min(distance[i], gap * gap);
                total += distance[i];
            }
            chosen = total > 0 ? draw(distance, total * random.nextDouble()) : random.nextInt(n);
        }
        return centres;
    }

    /** The index where the running sum of {@code weights} first exceeds {@code target}. */
    private static int draw(double[] weights, double target) {
        double sum = 0;
        int last = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                sum += weights[i];
                last = i;
                if (sum > target) {
                    return i;
                }
            }
        }
        return last;
    }

    /** Each point to its most similar centroid; returns whether any point changed cluster. */
    private static boolean assign(float[] cos, int n, int k, int[] assignment) {
        boolean moved = false;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (cos[i * k + c] > cos[i * k + best]) {
                    best = c;
                }
            }
            moved |= assignment[i] != best;
            assignment[i] = best;
        }
        return moved;
    }

    /** Gives every empty cluster the point least like its own centroid, taken from a cluster of two or more. */
    private static void refillEmpty(float[] cos, int n, int k, int[] assignment) {
        int[] sizes = new int[k];
        for (int a : assignment) {
            sizes[a]++;
        }
        for (int c = 0; c < k; c++) {
            if (sizes[c] > 0) {
                continue;
            }
            int worst = -1;
            for (int i = 0; i < n; i++) {
                if (sizes[assignment[i]] > 1 && (worst < 0
                        || cos[i * k + assignment[i]] < cos[worst * k + assignment[worst]])) {
                    worst = i;
                }
            }
            sizes[assignment[worst]]--;
            assignment[worst] = c;
            sizes[c] = 1;
            cos[worst * k + c] = Float.POSITIVE_INFINITY; // it now sits at its own centroid
        }
    }

    /** Each cluster's mean scaled to unit length (a mean of zero stays zero). */
    private static float[] means(float[] unit, int n, int d, int k, int[] assignment) {
        float[] sums = new float[k * d];
        for (int i = 0; i < n; i++) {
            int c = assignment[i];
            for (int j = 0; j < d; j++) {
                sums[c * d + j] += unit[i * d + j];
            }
        }
        return Tensor.unitRows(sums, k, d);
    }
}
