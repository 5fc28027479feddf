package io.nanolens.sae;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaeConfigTest {

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void configRoundTripsThroughJson(Architecture architecture) {
        SaeConfig config = TestSaes.small(architecture, false);
        assertEquals(config, Json.convert(Json.toTree(config), SaeConfig.class, "test"));
    }

    @Test
    void defaultsFollowSaeLens() {
        SaeConfig c = SaeConfig.of(Architecture.MATRYOSHKA, 64, 512);
        assertEquals(32, c.k());
        assertEquals(32, c.kAux(), "k_aux = d_in / 2");
        assertEquals(List.of(64, 128, 256, 512), c.prefixes());
        assertTrue(c.applyBDecToInput());
        assertEquals(List.of(512), SaeConfig.of(Architecture.TOP_K, 64, 512).prefixes());
    }

    @Test
    void invalidValuesAreRejectedWithTheAllowedRange() {
        SaeConfig c = SaeConfig.of(Architecture.TOP_K, 8, 16);
        assertTrue(assertThrows(NanolensException.class, () -> c.withK(17)).getMessage()
                .contains("k = 17 must lie in [1, d_sae = 16]"));
        assertTrue(assertThrows(NanolensException.class, () -> c.withPrefixes(List.of(8, 4, 16))).getMessage()
                .contains("strictly increasing"));
        assertTrue(assertThrows(NanolensException.class, () -> c.withPrefixes(List.of(4, 8))).getMessage()
                .contains("must end with d_sae = 16"));
        assertThrows(NanolensException.class, () -> c.withJumpRelu(0f, 0.1f));
        assertThrows(NanolensException.class, () -> c.withSparsityCoefficient(Float.NaN));
    }

    @Test
    void architecturesAreFoundByShortAndSaeLensName() {
        assertEquals(Architecture.RELU, Architecture.of("standard"));
        assertEquals(Architecture.MATRYOSHKA, Architecture.of("matryoshka_batchtopk"));
        assertEquals(Architecture.BATCH_TOP_K, Architecture.of("BatchTopK"));
        assertTrue(assertThrows(NanolensException.class, () -> Architecture.of("sparsemax")).getMessage()
                .contains("[relu, topk, batchtopk, jumprelu, gated, matryoshka]"));
    }
}
