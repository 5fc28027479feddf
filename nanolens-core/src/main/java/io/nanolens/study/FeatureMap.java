package io.nanolens.study;

import io.nanolens.explorer.ConceptMatch;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An SAE's features laid out by decoder direction, for {@code study clusters}: the unit decoder rows of the features
 * that fired in an analysis pass are grouped by cosine ({@link CosineKMeans}) and placed on a 2-D map by their first
 * two principal components ({@link PrincipalComponents}); each point keeps the feature's automatic label and best
 * concept from the pass's {@link FeatureCard}. Clusters are numbered by size, largest first, and summarised by their
 * mean cosine to the centroid (cohesion), their most common concept and their most common labels. To judge the
 * cohesion, the same k-means also runs on as many random directions (Gaussian rows made unit) of the same width:
 * decoder rows that form real families beat that baseline clearly.
 *
 * @param points    one per mapped feature, by feature index
 * @param clusters  largest first; cluster {@code i} is {@code clusters.get(i)}
 * @param explained the fraction of the unit rows' variance along each map axis
 * @param silent    features left off the map because they never fired in the pass
 * @param cohesion  mean cosine of every mapped feature to its cluster's centroid
 * @param baseline  the same for the k-means of as many random directions
 */
public record FeatureMap(List<Point> points, List<Cluster> clusters, double[] explained, int silent, double cohesion,
                         double baseline) {
    /** Labels listed per cluster. */
    public static final int LABELS = 6;
    private static final int MAX_ITERATIONS = 100;

    /**
     * A feature on the map.
     *
     * @param feature its index
     * @param x       first principal coordinate of its unit decoder row
     * @param y       second
     * @param cluster its cluster
     * @param label   its automatic label (may be empty)
     * @param concept its best concept if that F1 reached the map's threshold, else null
     * @param f1      the best concept's F1 (0 without concepts)
     * @param density its firing fraction in the pass
     */
    public record Point(int feature, double x, double y, int cluster, String label, String concept, double f1,
                        double density) {
    }

    /**
     * A group of features with similar decoder rows.
     *
     * @param id           its number (0 is the largest)
     * @param size         members
     * @param cohesion     mean cosine of the members to the cluster's unit centroid
     * @param concept        the concept most members match, or null if none does
     * @param conceptMembers the members matching it
     * @param labels       the most common member labels with their counts, e.g. {@code "red / blue ×3"}
     * @param members      the member features by index
     */
    public record Cluster(int id, int size, double cohesion, String concept, int conceptMembers, List<String> labels,
                          List<Integer> members) {
    }

    /**
     * Maps the features of {@code cards} that fired, with decoder rows {@code wDec} [m, d], into {@code k} clusters
     * (fewer if fewer features fired); a concept marks a feature when its F1 is at least {@code minF1}.
     *
     * @throws IllegalArgumentException if fewer than two features fired or k &lt; 1
     */
    public static FeatureMap build(float[] wDec, int m, int d, List<FeatureCard> cards, int k, long seed,
                                   double minF1) {
        List<FeatureCard> fired = new ArrayList<>();
        for (FeatureCard card : cards) {
            if (card.density() > 0) {
                fired.add(card);
            }
        }
        if (fired.size() < 2 || k < 1) {
            throw new IllegalArgumentException("a map needs at least 2 features that fired and k ≥ 1, got "
                    + fired.size() + " and k = " + k);
        }
        int n = fired.size();
        float[] rows = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(wDec, fired.get(i).index() * d, rows, i * d, d);
        }
        float[] unit = Tensor.unitRows(rows, n, d);
        CosineKMeans.Result result = CosineKMeans.fit(unit, n, d, Math.min(k, n), seed, MAX_ITERATIONS);
        int[] rank = rankBySize(result);
        PrincipalComponents pca = PrincipalComponents.fit(unit, n, d, Math.min(2, d));
        double[] xy = pca.project(unit, n);
        int axes = pca.count();
        List<Point> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            FeatureCard card = fired.get(i);
            ConceptMatch match = card.bestConcept();
            boolean marked = match != null && match.f1() >= minF1;
            points.add(new Point(card.index(), xy[i * axes], axes > 1 ? xy[i * axes + 1] : 0,
                    rank[result.assignment()[i]], card.label(), marked ? match.concept() : null,
                    match == null ? 0 : match.f1(), card.density()));
        }
        List<Cluster> clusters = new ArrayList<>();
        for (int c = 0; c < result.k(); c++) {
            clusters.add(null);
        }
        for (int c = 0; c < result.k(); c++) {
            clusters.set(rank[c], cluster(rank[c], c, result, unit, d, points));
        }
        double[] explained = new double[axes];
        for (int a = 0; a < axes; a++) {
            explained[a] = pca.explained(a);
        }
        return new FeatureMap(List.copyOf(points), List.copyOf(clusters), explained, m - n, result.meanCosine(),
                baseline(n, d, Math.min(k, n), seed));
    }

    /** The mean cosine to the centroids of the k-means of n random unit directions in d dimensions. */
    static double baseline(int n, int d, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] rows = new float[n * d];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) random.nextGaussian();
        }
        return CosineKMeans.fit(Tensor.unitRows(rows, n, d), n, d, k, seed, MAX_ITERATIONS).meanCosine();
    }

    /** For each k-means cluster its place when the clusters are sorted by size, largest first (ties by index). */
    private static int[] rankBySize(CosineKMeans.Result result) {
        Integer[] order = new Integer[result.k()];
        for (int c = 0; c < order.length; c++) {
            order[c] = c;
        }
        int[] sizes = new int[result.k()];
        for (int a : result.assignment()) {
            sizes[a]++;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer c) -> -sizes[c]).thenComparingInt(c -> c));
        int[] rank = new int[order.length];
        for (int r = 0; r < order.length; r++) {
            rank[order[r]] = r;
        }
        return rank;
    }

    /** The summary of k-means cluster {@code c}, numbered {@code id}. */
    private static Cluster cluster(int id, int c, CosineKMeans.Result result, float[] unit, int d,
                                   List<Point> points) {
        List<Integer> members = new ArrayList<>();
        Map<String, Integer> concepts = new LinkedHashMap<>();
        Map<String, Integer> labels = new LinkedHashMap<>();
        double cosines = 0;
        for (int i = 0; i < points.size(); i++) {
            if (result.assignment()[i] != c) {
                continue;
            }
            Point p = points.get(i);
            members.add(p.feature());
            if (p.concept() != null) {
                concepts.merge(p.concept(), 1, Integer::sum);
            }
            labels.merge(p.label().isEmpty() ? "(no label)" : p.label(), 1, Integer::sum);
            double dot = 0;
            for (int j = 0; j < d; j++) {
                dot += unit[i * d + j] * result.centroids()[c * d + j];
            }
            cosines += dot;
        }
        Map.Entry<String, Integer> top = concepts.entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
        List<String> common = labels.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(LABELS)
                .map(e -> e.getValue() > 1 ? e.getKey() + " ×" + e.getValue() : e.getKey())
                .toList();
        int size = members.size();
        return new Cluster(id, size, size == 0 ? 0 : cosines / size, top == null ? null : top.getKey(),
                top == null ? 0 : top.getValue(), common, List.copyOf(members));
    }
}
