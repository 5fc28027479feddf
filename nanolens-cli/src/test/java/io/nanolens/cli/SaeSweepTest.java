package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.train.SaeTrainer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaeSweepTest {

    private static List<String> names(List<SaeTrainer.Spec> specs) {
        return specs.stream().map(SaeTrainer.Spec::name).toList();
    }

    @Test
    void everyArchitectureMeetsEveryExpansionAndItsOwnKOrCoefficientInOrder() {
        List<SaeTrainer.Spec> specs = new SaeSweep(List.of("topk", "relu", "jumprelu"), List.of(4, 8),
                List.of(16, 32), List.of(0.5f, 5f)).specs(64);
        assertEquals(List.of("topk-x4-k16", "topk-x4-k32", "topk-x8-k16", "topk-x8-k32",
                "relu-x4-l1-0.5", "relu-x4-l1-5", "relu-x8-l1-0.5", "relu-x8-l1-5",
                "jumprelu-x4-l0-0.5", "jumprelu-x4-l0-5", "jumprelu-x8-l0-0.5", "jumprelu-x8-l0-5"), names(specs));
        SaeConfig relu = specs.get(5).config();
        assertEquals(SaeConfig.of(Architecture.RELU, 64, 256).withSparsityCoefficient(5f), relu);
        assertEquals(SaeConfig.of(Architecture.TOP_K, 64, 512).withK(16), specs.get(2).config());
    }

    @Test
    void omittedListsTakeTheConfigDefaults() {
        List<SaeTrainer.Spec> specs = new SaeSweep(List.of("matryoshka", "gated"), List.of(), List.of(), List.of())
                .specs(16);
        assertEquals(List.of("matryoshka-x8-k32", "gated-x8-l1-1"), names(specs));
        assertEquals(SaeConfig.of(Architecture.MATRYOSHKA, 16, 128), specs.get(0).config());
        assertEquals(SaeConfig.of(Architecture.GATED, 16, 128), specs.get(1).config());
    }

    @Test
    void repeatedArchitecturesCountOnceAndSmallCoefficientsNameWithoutExponents() {
        List<SaeTrainer.Spec> specs = new SaeSweep(List.of("relu", " relu", "standard"), List.of(2), List.of(),
                List.of(1e-4f)).specs(8);
        assertEquals(List.of("relu-x2-l1-0.0001"), names(specs));
    }

    @Test
    void optionsNoSaeOfTheSweepUsesAreRefused() {
        NanolensException k = assertThrows(NanolensException.class,
                () -> new SaeSweep(List.of("relu", "gated"), List.of(), List.of(8), List.of()).specs(16));
        assertTrue(k.getMessage().contains("--k is for topk"), k.getMessage());
        NanolensException l1 = assertThrows(NanolensException.class,
                () -> new SaeSweep(List.of("topk"), List.of(), List.of(), List.of(2f)).specs(16));
        assertTrue(l1.getMessage().contains("--l1 is for relu"), l1.getMessage());
        assertThrows(NanolensException.class, () -> new SaeSweep(List.of(), List.of(), List.of(), List.of()).specs(8));
        assertThrows(NanolensException.class, () -> new SaeSweep(List.of("topk"), List.of(0), List.of(), List.of())
                .specs(8));
    }
}
