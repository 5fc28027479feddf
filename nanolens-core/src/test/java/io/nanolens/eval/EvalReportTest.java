package io.nanolens.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalReportTest {
    /** The keys the README documents for {@code ./nanolens eval --json}, in its order. */
    static final List<String> KEYS = List.of("mse", "fvu", "cosine_similarity", "l0", "l1", "dead_fraction",
            "dense_fraction", "log10_density_histogram", "ce_clean", "ce_with_sae", "ce_zero_ablation",
            "ce_loss_recovered", "kl_divergence", "tokens");

    private static EvalReport report(double recovered) {
        return new EvalReport(0.5, 0.1, 0.9, 12, 30.5, 0.25, 0.125, DensityHistogram.of(new double[] {0, 1, 0.01}),
                1.5, 1.75, 4, recovered, 0.0625, 1000);
    }

    @Test
    void jsonHasExactlyTheDocumentedKeysInOrder() {
        ObjectNode json = report(0.9).toJson();
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(KEYS, keys);
        assertEquals(0.125, json.get("dense_fraction").doubleValue());
        assertEquals(1000, json.get("tokens").longValue());
        JsonNode histogram = json.get("log10_density_histogram");
        List<String> parts = new ArrayList<>();
        histogram.fieldNames().forEachRemaining(parts::add);
        assertEquals(List.of("edges", "counts"), parts);
        assertEquals(DensityHistogram.BINS + 1, histogram.get("edges").size());
        assertEquals(DensityHistogram.BINS, histogram.get("counts").size());
    }

    @Test
    void undefinedNumbersAreWrittenAsNull() {
        ObjectNode json = report(Double.NaN).toJson();
        assertTrue(json.get("ce_loss_recovered").isNull(), json.toString());
        assertTrue(json.get("kl_divergence").isNumber());
        assertEquals(KEYS.size(), json.size());
    }

    @Test
    void densityHistogramBinsHalfDecadesWithDeadLatentsFirstAndAlwaysOnLast() {
        DensityHistogram h = DensityHistogram.of(new double[] {0, 0, 1, 0.5, 0.01, 0.0101, 3e-4, 1e-10});
        double[] edges = h.edges();
        assertEquals(-10, edges[0]);
        assertEquals(0, edges[DensityHistogram.BINS]);
        for (int i = 1; i < edges.length; i++) {
            assertEquals(0.5, edges[i] - edges[i - 1], 1e-12);
        }
        long[] expected = new long[DensityHistogram.BINS];
        expected[0] = 3;                // two dead (log10(1e-10) = −10) and 1e-10 (log10(2e-10) ≈ −9.7)
        expected[19] = 2;               // 1 and 0.5 (−0.30) lie in [−0.5, 0]
        expected[16] = 2;               // 0.01 (−2) and 0.0101 (−1.996) lie in [−2, −1.5)
        expected[12] = 1;               // 3e-4 (−3.52) lies in [−4, −3.5)
        assertArrayEquals(expected, h.counts());
    }
}
