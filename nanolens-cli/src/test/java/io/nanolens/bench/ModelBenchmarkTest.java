package io.nanolens.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanolens.model.GptConfig;
import io.nanolens.tensor.Tensor;
import java.nio.file.Files;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's PyTorch reference is the same model as nanolens's: the loss of one set of random weights on one
 * batch, computed by {@code bench/gpt_torch.py} under Debian's torch, matches nanolens's within float32 noise.
 * Skipped where /usr/bin/python3 has no torch (the tests never need it).
 */
class ModelBenchmarkTest {

    @Test
    void scriptIsFoundFromTheModuleDirectory() {
        assertTrue(TorchReference.locateScript(TorchReference.GPT).filter(Files::isRegularFile).isPresent(),
                "bench/gpt_torch.py should be found walking up from " + System.getProperty("user.dir"));
    }

    @Test
    void randomModelHasNoZeroWeightTensor() {
        for (Tensor t : ModelBenchmark.randomModel(GptConfig.tiny(64), 3).parameters().values()) {
            double sumSquares = 0;
            for (float x : t.data()) {
                sumSquares += x * x;
            }
            assertTrue(sumSquares > 0, "every tensor must be random so that the loss check sees every weight");
        }
    }

    @Test
    @Tag("slow")
    void torchScriptGivesTheSameLossForGroupedQueryAttention() {
        // 4 query heads over 2 key/value heads of 8 channels, 2 layers, a vocabulary that is not a power of two
        assertSameLoss(new GptConfig(24, 97, 2, 4, 2, 32), 3, 24);
    }

    @Test
    @Tag("slow")
    void torchScriptGivesTheSameLossForTheTinyPreset() {
        assertSameLoss(GptConfig.tiny(512), 2, 48);
    }

    private static void assertSameLoss(GptConfig config, int batch, int time) {
        TorchReference torch = TorchReference.find(TorchReference.GPT).reference();
        assumeTrue(torch != null, "no /usr/bin/python3 with torch; install: " + TorchReference.INSTALL_HINT);
        double[] losses = ModelBenchmark.sameModelLosses(config, torch, batch, time);
        assertTrue(Double.isFinite(losses[0]) && losses[0] > 0, "nanolens loss " + losses[0]);
        assertEquals(losses[1], losses[0], ModelBenchmark.SAME_MODEL_TOLERANCE * losses[1],
                "nanolens vs PyTorch loss for " + config);
    }
}
