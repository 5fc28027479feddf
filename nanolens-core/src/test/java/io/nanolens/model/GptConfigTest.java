package io.nanolens.model;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptConfigTest {

    private static void assertRejected(String fragment, Runnable make) {
        NanolensException e = assertThrows(NanolensException.class, make::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void widthMustSplitIntoHeads() {
        assertRejected("nEmbd 100 must be a multiple of nHead 3", () -> new GptConfig(8, 10, 1, 3, 3, 100));
    }

    @Test
    void headsMustSplitIntoKvGroups() {
        assertRejected("nHead 4 must be a multiple of nKvHead 3", () -> new GptConfig(8, 10, 1, 4, 3, 64));
    }

    @Test
    void headDimensionMustBeEven() {
        assertRejected("head dimension nEmbd / nHead = 5 must be even", () -> new GptConfig(8, 10, 1, 4, 4, 20));
    }

    @Test
    void sizesMustBePositive() {
        assertRejected("nLayer is 0 but must be at least 1", () -> new GptConfig(8, 10, 0, 4, 4, 64));
        assertRejected("vocabSize is -1", () -> new GptConfig(8, -1, 1, 4, 4, 64));
    }

    @Test
    void hugeTensorsAreRejected() {
        assertRejected("2^31", () -> new GptConfig(8, 5_000_000, 1, 4, 4, 512));
    }

    @Test
    void presetsAreValidAndDescribeThemselves() {
        GptConfig tiny = GptConfig.tiny(4096);
        assertEquals(32, tiny.headDim());
        assertEquals(512, tiny.mlpDim());
        assertEquals(2L * 4096 * 128 + 4 * 12L * 128 * 128, tiny.parameterCount());
        GptConfig small = GptConfig.small(4096);
        assertEquals(64, small.headDim());
        assertEquals(512, small.sequenceLen());
    }

    @Test
    void depthDerivesWidthAndHeadsAsNanochat() {
        GptConfig d20 = GptConfig.ofDepth(20, 65536);
        assertEquals(1280, d20.nEmbd());
        assertEquals(10, d20.nHead());
        assertEquals(10, d20.nKvHead());
        assertEquals(2048, d20.sequenceLen());
        assertEquals(560_988_160L, d20.parameterCount());
        assertEquals(1, GptConfig.ofDepth(1, 100, 64).nHead());
        assertRejected("depth 5 gives width 320", () -> GptConfig.ofDepth(5, 100));
    }

    @Test
    void groupedQueryShapesFollowTheKvHeads() {
        GptConfig c = new GptConfig(16, 50, 2, 8, 2, 64);
        assertEquals(4, c.groupSize());
        assertEquals(16, c.kvDim());
    }
}
