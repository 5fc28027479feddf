package io.nanolens.study;

import io.nanolens.explorer.ConceptMatch;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.explorer.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureMapTest {
    private static final int D = 6;

    private static FeatureCard card(int index, String label, double density, ConceptMatch match) {
        return new FeatureCard(index, label, density, 1, match, List.of(), List.of(), Histogram.EMPTY, List.of(),
                List.of(), List.of());
    }

    /**
     * 16 features: 0–8 point near axis 0 ("red", colour F1 0.8), 9–13 near axis 1 ("Tom", name F1 0.1, under the
     * threshold), 14 and 15 never fired. Rows have random lengths: only directions count.
     */
    private static FeatureMap map() {
        SplittableRandom random = new SplittableRandom(4);
        float[] wDec = new float[16 * D];
        List<FeatureCard> cards = new ArrayList<>();
        for (int f = 0; f < 16; f++) {
            int axis = f < 9 ? 0 : f < 14 ? 1 : 2;
            double length = 0.5 + 3 * random.nextDouble();
            for (int c = 0; c < D; c++) {
                wDec[f * D + c] = (float) (length * ((c == axis ? 1 : 0) + 0.05 * random.nextGaussian()));
            }
            cards.add(f < 9 ? card(f, "red", 0.01, new ConceptMatch("colour", 0.8, 0.8, 0.8))
                    : f < 14 ? card(f, f == 9 ? "Tom / Mia" : "Tom", 0.02, new ConceptMatch("name", 0.1, 0.1, 0.1))
                    : card(f, "", 0, null));
        }
        return FeatureMap.build(wDec, 16, D, cards, 2, 1, 0.5);
    }

    @Test
    void featuresGroupByDecoderDirectionLargestClusterFirst() {
        FeatureMap map = map();
        assertEquals(14, map.points().size());
        assertEquals(2, map.silent(), "features that never fired are left off");
        FeatureMap.Cluster big = map.clusters().get(0);
        FeatureMap.Cluster small = map.clusters().get(1);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), big.members());
        assertEquals(List.of(9, 10, 11, 12, 13), small.members());
        assertEquals(0, big.id());
        assertEquals("colour", big.concept());
        assertEquals(9, big.conceptMembers());
        assertEquals(List.of("red ×9"), big.labels());
        assertNull(small.concept(), "an F1 under the threshold marks no concept");
        assertEquals(List.of("Tom ×4", "Tom / Mia"), small.labels());
        assertTrue(big.cohesion() > 0.98 && small.cohesion() > 0.98);
        assertEquals((9 * big.cohesion() + 5 * small.cohesion()) / 14, map.cohesion(), 1e-6);
        assertTrue(map.baseline() < 0.9, "random directions are far less cohesive: " + map.baseline());
        for (FeatureMap.Point p : map.points()) {
            assertEquals(p.feature() < 9 ? 0 : 1, p.cluster());
            assertEquals(p.feature() < 9 ? "colour" : null, p.concept());
        }
    }

    @Test
    void theMapSeparatesTheGroupsAlongTheFirstAxis() {
        FeatureMap map = map();
        double maxRed = Double.NEGATIVE_INFINITY;
        double minRed = Double.POSITIVE_INFINITY;
        double maxTom = Double.NEGATIVE_INFINITY;
        double minTom = Double.POSITIVE_INFINITY;
        for (FeatureMap.Point p : map.points()) {
            if (p.feature() < 9) {
                maxRed = Math.max(maxRed, p.x());
                minRed = Math.min(minRed, p.x());
            } else {
                maxTom = Math.max(maxTom, p.x());
                minTom = Math.min(minTom, p.x());
            }
        }
        assertTrue(maxRed < minTom || maxTom < minRed, "the two groups overlap on the first axis");
        assertTrue(map.explained()[0] > 0.8, "two directions: the first axis explains most: " + map.explained()[0]);
    }
}
