package io.nanolens.text;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkCacheTest {

    @Test
    void hitsReturnWhatWasStoredForThatExactChunkDespiteCollisions() {
        ChunkCache cache = new ChunkCache(2); // four slots: almost every chunk collides with another
        Map<String, int[]> stored = new HashMap<>();
        Random random = new Random(6);
        String text = "the cat sat on the mat, then the cat ate; at the end the tea was cold";
        int hits = 0;
        for (int i = 0; i < 5000; i++) {
            int start = random.nextInt(text.length());
            int end = Math.min(text.length(), start + 1 + random.nextInt(6));
            String chunk = text.substring(start, end);
            int hash = ChunkCache.hash(text, start, end);
            int[] entry = cache.get(text, start, end, hash);
            if (entry != null) {
                hits++;
                int[] ids = Arrays.copyOfRange(entry, ChunkCache.idsFrom(entry), entry.length);
                assertArrayEquals(stored.get(chunk), ids);
            } else {
                int[] ids = random.ints(1 + random.nextInt(4), 0, 1000).toArray();
                cache.put(text, start, end, hash, ids, ids.length);
                stored.put(chunk, ids);
            }
        }
        assertTrue(hits > 100, "hits: " + hits);
    }

    @Test
    void sameHashDifferentCharsIsAMiss() {
        ChunkCache cache = new ChunkCache(4);
        cache.put("ab", 0, 2, 12345, new int[] {1}, 1);
        assertNull(cache.get("ac", 0, 2, 12345));
        assertNull(cache.get("abc", 0, 3, 12345));
    }
}
