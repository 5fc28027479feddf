package io.nanolens.spark;

import io.nanolens.NanolensException;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.train.SaeTrainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaeNamesTest {
    @Test
    void aNameGivesTheSaeItDescribes() {
        SaeTrainer.Spec topk = SaeNames.spec("topk-x8-k32", 16);
        assertEquals("topk-x8-k32", topk.name());
        assertEquals(SaeConfig.of(Architecture.TOP_K, 16, 128).withK(32), topk.config());
        assertEquals(SaeConfig.of(Architecture.RELU, 16, 64).withSparsityCoefficient(5),
                SaeNames.spec("relu-x4-l1-5", 16).config());
        assertEquals(SaeConfig.of(Architecture.JUMP_RELU, 16, 32).withSparsityCoefficient(0.001f),
                SaeNames.spec("jumprelu-x2-l0-0.001", 16).config());
        assertEquals(SaeConfig.of(Architecture.GATED, 16, 16).withSparsityCoefficient(2e-3f),
                SaeNames.spec("gated-x1-l1-2e-3", 16).config());
        assertEquals(SaeConfig.of(Architecture.BATCH_TOP_K, 16, 128), SaeNames.spec("batchtopk-x8", 16).config());
    }

    @Test
    void aMalformedOrMismatchedNameIsAOneLineError() {
        for (String name : new String[] {"topk", "topk-8-k32", "relu-x8-k32", "topk-x8-l1-5", "jumprelu-x8-l1-5",
                "relu-x8-l0-5", "resnet-x8", "topk-x0-k4", "topk-x8-k32/../x"}) {
            NanolensException e = assertThrows(NanolensException.class, () -> SaeNames.spec(name, 16), name);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains(name.startsWith("resnet") ? "resnet" : name), e.getMessage());
        }
    }
}
