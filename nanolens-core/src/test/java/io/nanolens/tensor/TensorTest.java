package io.nanolens.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TensorTest {

    @Test
    void unitRowsHaveNormOneKeepTheirDirectionAndAZeroRowStaysZero() {
        float[] x = {3, 4, 0, 0, 0, -2, 1e-20f, 0};
        float[] unit = Tensor.unitRows(x, 4, 2);
        assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0, 0, -1, 1, 0}, unit, 1e-7f);
        float[] random = Tensor.randn(3, 5, 7, 9).data();
        float[] rows = Tensor.unitRows(random, 7, 9);
        for (int r = 0; r < 7; r++) {
            double norm = 0;
            for (int j = 0; j < 9; j++) {
                norm += rows[r * 9 + j] * (double) rows[r * 9 + j];
                assertEquals(Math.signum(random[r * 9 + j]), Math.signum(rows[r * 9 + j]));
            }
            assertEquals(1, norm, 1e-6);
        }
    }
}
