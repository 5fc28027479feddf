package io.nanolens.model;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KvCacheTest {
    private static final GptConfig C = TestGpts.SMALL;

    private static float[] fullLogits(Gpt gpt, int[] tokens) {
        GptState state = GptState.forInference(C, 1, tokens.length);
        gpt.forward(state, tokens, 1, tokens.length, null, null);
        return Arrays.copyOf(state.logits(), tokens.length * C.vocabSize());
    }

    private static void assertClose(float[] expected, int expectedOff, float[] actual, int actualOff, int n) {
        float scale = TestGpts.maxAbs(expected, expected.length);
        for (int i = 0; i < n; i++) {
            assertEquals(expected[expectedOff + i], actual[actualOff + i], 1e-5f * scale, "value " + i);
        }
    }

    @Test
    void tokenByTokenDecodingMatchesTheFullForward() {
        Gpt gpt = TestGpts.model(C, 41);
        int[] tokens = TestGpts.ids(42, 12, C.vocabSize());   // longer than the context of 8: rotary covers 80
        float[] full = fullLogits(gpt, tokens);
        KvCache cache = new KvCache(C, 12);
        for (int i = 0; i < tokens.length; i++) {
            float[] logits = gpt.forward(cache, new int[] {tokens[i]}, null);
            assertClose(full, i * C.vocabSize(), logits, 0, C.vocabSize());
        }
        assertEquals(12, cache.position());
    }

    @Test
    void chunkedDecodingMatchesTheFullForward() {
        Gpt gpt = TestGpts.model(C, 43);
        int[] tokens = TestGpts.ids(44, 10, C.vocabSize());
        float[] full = fullLogits(gpt, tokens);
        KvCache cache = new KvCache(C, 16);
        int at = 0;
        for (int size : new int[] {4, 1, 3, 2}) {
            float[] logits = gpt.forward(cache, Arrays.copyOfRange(tokens, at, at + size), null);
            assertClose(full, at * C.vocabSize(), logits, 0, size * C.vocabSize());
            at += size;
        }
    }

    @Test
    void hooksThroughTheCacheSeeTheFullPassRowsAndPositions() {
        Gpt gpt = TestGpts.model(C, 45);
        int[] tokens = TestGpts.ids(46, 6, C.vocabSize());
        HookPoint point = new HookPoint(1, HookPoint.Kind.RESID_MID);
        Hooks full = new Hooks();
        Map<HookPoint, Tensor> expected = full.cache(point);
        gpt.forward(GptState.forInference(C, 1, 6), tokens, 1, 6, null, full);
        KvCache cache = new KvCache(C, 6);
        gpt.forward(cache, Arrays.copyOf(tokens, 4), null);
        int[] seen = new int[2];
        Hooks hooks = new Hooks().add(point, (p, act, rows, width, start) -> {
            seen[0] = rows;
            seen[1] = start;
            assertClose(expected.get(point).data(), 4 * width, act, 0, rows * width);
        });
        gpt.forward(cache, Arrays.copyOfRange(tokens, 4, 6), hooks);
        assertEquals(2, seen[0]);
        assertEquals(4, seen[1]);
    }

    @Test
    void rewindRecomputesTheSameLogits() {
        Gpt gpt = TestGpts.model(C, 47);
        KvCache cache = new KvCache(C, 8);
        gpt.forward(cache, new int[] {1, 2, 3}, null);
        float[] first = gpt.forward(cache, new int[] {4}, null).clone();
        cache.rewind(3);
        float[] again = gpt.forward(cache, new int[] {4}, null);
        assertEquals(first[5], again[5]);
        cache.reset();
        assertEquals(0, cache.position());
    }

    @Test
    void overflowingTheCacheIsRejected() {
        Gpt gpt = TestGpts.model(C, 48);
        KvCache cache = new KvCache(C, 3);
        gpt.forward(cache, new int[] {1, 2}, null);
        assertThrows(NanolensException.class, () -> gpt.forward(cache, new int[] {3, 4}, null));
        assertEquals(2, cache.position());
        assertThrows(NanolensException.class, () -> new KvCache(C, C.maxPositions() + 1));
    }
}
