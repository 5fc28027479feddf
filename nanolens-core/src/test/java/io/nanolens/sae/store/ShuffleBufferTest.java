package io.nanolens.sae.store;

import io.nanolens.model.HookPoint;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.nanolens.sae.store.StoreFixtures.CONFIG;
import static io.nanolens.sae.store.StoreFixtures.multiset;
import static io.nanolens.sae.store.StoreFixtures.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShuffleBufferTest {
    private static final int W = 8;

    private static List<Integer> order(List<float[]> rows) {
        return rows.stream().map(r -> (int) r[0]).toList();
    }

    @Test
    void everyHarvestedRowComesOutExactlyOnceWhileTheBufferStaysBounded() {
        int capacity = 256;
        int tokens = 3000;
        HookPoint hook = HookPoint.parse("blocks.1.hook_resid_post", CONFIG);
        HarvestConfig config = new HarvestConfig(hook, 16, 4, false, tokens);
        ActivationHarvester harvester = new ActivationHarvester(StoreFixtures.model(5), StoreFixtures.BYTES,
                StoreFixtures.stories(20), config);
        StoreFixtures.Recording pulled = new StoreFixtures.Recording(harvester);
        List<float[]> served = new ArrayList<>();
        try (ShuffleBuffer buffer = new ShuffleBuffer(pulled, capacity, 99)) {
            float[] batch = new float[64 * buffer.width()];
            for (int n; (n = buffer.read(batch, 0, 64)) > 0; ) {
                for (int r = 0; r < n; r++) {
                    served.add(Arrays.copyOfRange(batch, r * buffer.width(), (r + 1) * buffer.width()));
                }
                long inFlight = pulled.seen.size() - served.size();
                assertTrue(inFlight <= capacity, inFlight + " rows held, more than the capacity " + capacity);
                assertTrue(buffer.held() <= capacity);
            }
        }
        assertEquals(tokens, pulled.seen.size());
        assertTrue(tokens > 10 * capacity);
        assertEquals(multiset(pulled.seen), multiset(served));
    }

    @Test
    void rowsComeOutShuffledNotInSourceOrder() {
        List<float[]> rows = StoreFixtures.numberedRows(5000, W, 1);
        List<Integer> out = order(readAll(new ShuffleBuffer(StoreFixtures.rows(rows, W), 500, 3), 100));
        int neighbours = 0;
        for (int i = 1; i < out.size(); i++) {
            neighbours += out.get(i) == out.get(i - 1) + 1 ? 1 : 0;
        }
        assertTrue(neighbours < out.size() / 50, neighbours + " source neighbours stayed neighbours");
        assertEquals(5000, out.stream().distinct().count());
    }

    @Test
    void everyServedRowWasDrawnFromMoreThanHalfTheCapacity() {
        int capacity = 200;
        List<float[]> rows = StoreFixtures.numberedRows(2000, W, 2);
        StoreFixtures.Recording pulled = new StoreFixtures.Recording(StoreFixtures.rows(rows, W));
        ShuffleBuffer buffer = new ShuffleBuffer(pulled, capacity, 4);
        float[] one = new float[W];
        int served = 0;
        while (buffer.read(one, 0, 1) == 1) {
            served++;
            boolean draining = pulled.seen.size() == rows.size();
            assertTrue(draining || pulled.seen.size() - served + 1 > capacity / 2,
                    "row " + served + " was drawn from " + (pulled.seen.size() - served + 1) + " rows");
        }
        assertEquals(rows.size(), served);
    }

    @Test
    void theSameSeedGivesTheSameOrderAndAnotherSeedAnother() {
        List<float[]> rows = StoreFixtures.numberedRows(1000, W, 3);
        List<Integer> a = order(readAll(new ShuffleBuffer(StoreFixtures.rows(rows, W), 128, 7), 33));
        List<Integer> b = order(readAll(new ShuffleBuffer(StoreFixtures.rows(rows, W), 128, 7), 50));
        List<Integer> c = order(readAll(new ShuffleBuffer(StoreFixtures.rows(rows, W), 128, 8), 33));
        assertEquals(a, b);
        assertFalse(a.equals(c));
    }

    @Test
    void aStreamShorterThanTheBufferIsServedWhole() {
        List<float[]> rows = StoreFixtures.numberedRows(10, W, 4);
        List<float[]> out = readAll(new ShuffleBuffer(StoreFixtures.rows(rows, W), 64, 1), 4);
        assertEquals(multiset(rows), multiset(out));
    }

    @Test
    void anOversizedBufferIsRefused() {
        StoreFixtures.assertOneLineError("use between 1 and",
                () -> new ShuffleBuffer(StoreFixtures.rows(List.of(), 1 << 20), 1 << 12, 1));
    }
}
