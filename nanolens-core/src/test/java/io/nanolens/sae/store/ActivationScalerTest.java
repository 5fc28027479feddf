package io.nanolens.sae.store;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ActivationScalerTest {
    private static final int W = 24;

    /** Rows with very different norms, so the mean norm is far from √W. */
    private static List<float[]> rows(int count) {
        List<float[]> rows = new ArrayList<>();
        for (float[] row : StoreFixtures.numberedRows(count, W, 9)) {
            float scale = 0.1f + 7 * (rows.size() % 5);
            for (int i = 0; i < W; i++) {
                row[i] *= scale;
            }
            rows.add(row);
        }
        return rows;
    }

    private static double meanNorm(List<float[]> rows) {
        double sum = 0;
        for (float[] row : rows) {
            double squares = 0;
            for (float v : row) {
                squares += (double) v * v;
            }
            sum += Math.sqrt(squares);
        }
        return sum / rows.size();
    }

    @Test
    void mergedPartsGiveTheFactorOfAllRows() {
        List<float[]> rows = rows(301);
        ActivationScaler whole = new ActivationScaler(W);
        ActivationScaler merged = new ActivationScaler(W);
        int[] cuts = {0, 40, 41, 200, 301};
        for (int p = 0; p + 1 < cuts.length; p++) {
            ActivationScaler part = new ActivationScaler(W);
            for (float[] row : rows.subList(cuts[p], cuts[p + 1])) {
                part.add(row, 0, 1);
                whole.add(row, 0, 1);
            }
            merged.merge(part);
        }
        assertEquals(301, merged.rows());
        assertEquals(Math.sqrt(W) / meanNorm(rows), merged.scalingFactor(), 1e-14 * merged.scalingFactor());
        assertEquals(whole.scalingFactor(), merged.scalingFactor(), 1e-14 * whole.scalingFactor());
        assertThrows(IllegalArgumentException.class, () -> merged.merge(new ActivationScaler(W + 1)));
    }

    @Test
    void factorIsRootWidthOverTheMeanNorm() {
        List<float[]> rows = rows(300);
        double factor = ActivationScaler.estimate(StoreFixtures.rows(rows, W), Long.MAX_VALUE);
        assertEquals(Math.sqrt(W) / meanNorm(rows), factor, 1e-9 * factor);
    }

    @Test
    void scaledRowsHaveMeanNormRootWidth() {
        List<float[]> rows = rows(300);
        float factor = (float) ActivationScaler.estimate(StoreFixtures.rows(rows, W), Long.MAX_VALUE);
        List<float[]> scaled = StoreFixtures.readAll(StoreFixtures.rows(rows, W).scaled(factor), 17);
        assertEquals(Math.sqrt(W), meanNorm(scaled), 1e-5 * Math.sqrt(W));
    }

    @Test
    void estimateReadsOnlyTheSample() {
        List<float[]> rows = rows(300);
        StoreFixtures.Recording stream = new StoreFixtures.Recording(StoreFixtures.rows(rows, W));
        double factor = ActivationScaler.estimate(stream, 50);
        assertEquals(50, stream.seen.size());
        assertEquals(Math.sqrt(W) / meanNorm(rows.subList(0, 50)), factor, 1e-9 * factor);
    }

    @Test
    void zeroRowsNeedNoScaling() {
        ActivationScaler scaler = new ActivationScaler(W);
        assertEquals(1, scaler.scalingFactor());
        scaler.add(new float[3 * W], 0, 3);
        assertEquals(3, scaler.rows());
        assertEquals(1, scaler.scalingFactor());
    }

    @Test
    void anEmptyStreamCannotBeEstimated() {
        assertThrows(NanolensException.class, () -> ActivationScaler.estimate(StoreFixtures.rows(List.of(), W), 10));
    }
}
