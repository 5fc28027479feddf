package io.nanolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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

    @Test
    void nanochatJsonKeepsItsSixKeysAndReadsBack() {
        GptConfig c = new GptConfig(16, 50, 2, 8, 2, 64);
        JsonNode json = Json.toTree(c);
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("sequence_len", "vocab_size", "n_layer", "n_head", "n_kv_head", "n_embd"), keys);
        assertEquals(c, Json.convert(json, GptConfig.class, "test"));
        assertEquals(GptConfig.Family.NANOCHAT, c.family());
        assertEquals(1.1920929e-7f, c.normEps());
    }

    @Test
    void gpt2JsonNamesItsFamilyAndEpsilonAndReadsBack() {
        GptConfig c = GptConfig.gpt2(32, 512, 2, 4, 64, 1e-5f);
        JsonNode json = Json.toTree(c);
        assertEquals("gpt2", json.path("family").asText());
        assertEquals(1e-5f, json.path("norm_eps").floatValue());
        assertEquals(c, Json.convert(json, GptConfig.class, "test"));
    }

    @Test
    void gpt2ShapesFollowHuggingFacesConfig() {
        GptConfig small = GptConfig.gpt2Small();
        assertEquals(124_439_808L, small.parameterCount(), "openai-community/gpt2's parameter count");
        assertEquals(1024, small.maxPositions(), "learned positions end at n_positions");
        assertEquals(3072, small.mlpDim());
        assertRejected("use nKvHead = nHead", () -> new GptConfig(8, 10, 1, 4, 2, 64, GptConfig.Family.GPT2, 1e-5f));
        assertRejected("norm epsilon is -1.0", () -> GptConfig.gpt2(8, 10, 1, 4, 64, -1f));
        assertEquals(GptConfig.Family.GPT2, GptConfig.gpt2(8, 10, 1, 5, 15, 1e-5f).family(), "odd heads: no rotary");
        assertRejected("unknown model family \"llama\"", () -> GptConfig.Family.of("llama"));
    }
}
