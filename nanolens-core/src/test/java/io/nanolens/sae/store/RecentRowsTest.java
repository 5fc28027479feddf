package io.nanolens.sae.store;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecentRowsTest {
    private static final int WIDTH = 3;

    /** Rows 0..n-1, row r holding r, r + 0.25, r + 0.5; at most {@code piece} rows per read. */
    private static ActivationStream counting(int n, int piece) {
        return new ActivationStream() {
            private int next;

            @Override
            public int width() {
                return WIDTH;
            }

            @Override
            public int read(float[] dst, int fromRow, int maxRows) {
                int rows = Math.min(Math.min(maxRows, piece), n - next);
                for (int r = 0; r < rows; r++, next++) {
                    for (int c = 0; c < WIDTH; c++) {
                        dst[(fromRow + r) * WIDTH + c] = next + 0.25f * c;
                    }
                }
                return rows;
            }
        };
    }

    private static float[] rows(int from, int to) {
        float[] out = new float[(to - from) * WIDTH];
        for (int r = from; r < to; r++) {
            for (int c = 0; c < WIDTH; c++) {
                out[(r - from) * WIDTH + c] = r + 0.25f * c;
            }
        }
        return out;
    }

    @Test
    void rowsPassThroughUnchangedAndTheLastCapacityRowsAreKeptInOrder() {
        for (int piece : new int[] {1, 3, 7, 50}) {
            RecentRows recent = new RecentRows(counting(23, piece), 5);
            List<float[]> all = StoreFixtures.readAll(recent, 4);
            assertEquals(23, all.size());
            for (int r = 0; r < 23; r++) {
                assertArrayEquals(rows(r, r + 1), all.get(r), "row " + r);
            }
            assertEquals(5, recent.held());
            assertArrayEquals(rows(18, 23), recent.rows(5), "piece " + piece);
            assertArrayEquals(rows(21, 23), recent.rows(2), "newest two");
        }
    }

    @Test
    void aReadLargerThanTheCapacityKeepsItsLastRows() {
        RecentRows recent = new RecentRows(counting(23, 23), 4);
        float[] buffer = new float[30 * WIDTH];
        assertEquals(23, recent.read(buffer, 2, 30));
        assertArrayEquals(rows(0, 23), Arrays.copyOfRange(buffer, 2 * WIDTH, 25 * WIDTH));
        assertArrayEquals(rows(19, 23), recent.rows(10));
    }

    @Test
    void fewerRowsThanTheCapacityAreAllKept() {
        RecentRows recent = new RecentRows(counting(3, 2), 8);
        StoreFixtures.readAll(recent, 2);
        assertEquals(3, recent.held());
        assertArrayEquals(rows(0, 3), recent.rows(Integer.MAX_VALUE));
    }

    @Test
    void capacityBelowOneIsRefused() {
        assertThrows(NanolensException.class, () -> new RecentRows(counting(3, 2), 0));
    }
}
