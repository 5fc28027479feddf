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
 * {@code bench gpt2}'s PyTorch reference runs the same GPT-2 as nanolens: the loss of one random GPT-2, read by
 * {@code bench/gpt2_torch.py} from the Hugging Face directory nanolens wrote, matches nanolens's. Skipped where
 * /usr/bin/python3 has no torch (the tests never need it).
 */
class Gpt2BenchmarkTest {

    @Test
    void scriptIsFoundFromTheModuleDirectory() {
        assertTrue(TorchReference.locateScript(TorchReference.GPT2).filter(Files::isRegularFile).isPresent(),
                "bench/gpt2_torch.py should be found walking up from " + System.getProperty("user.dir"));
    }

    @Test
    void randomModelMovesEveryParameterOffItsInitialValue() {
        for (var e : Gpt2Benchmark.randomModel(Gpt2Benchmark.CHECK, 3).parameters().entrySet()) {
            Tensor t = e.getValue();
            boolean layerNormWeight = e.getKey().contains("ln_") && e.getKey().endsWith(".weight");
            double spread = 0;
            for (float x : t.data()) {
                spread += Math.abs(x - (layerNormWeight ? 1 : 0));
            }
            assertTrue(spread / t.size() > 0.01, e.getKey() + " must be random so that the loss check sees it");
        }
    }

    @Test
    void forwardFlopsCountGpt2SmallsMatmuls() {
        double flops = Gpt2Benchmark.forwardFlops(GptConfig.gpt2Small());
        double linear = 2.0 * 256 * (12 * 12 * 768.0 * 768 + 50257 * 768.0);
        assertEquals(linear + 2.0 * 12 * 256 * 256 * 768, flops, 1);
    }

    @Test
    @Tag("slow")
    void torchScriptGivesTheSameLoss() {
        TorchReference torch = TorchReference.find(TorchReference.GPT2).reference();
        assumeTrue(torch != null, "no /usr/bin/python3 with torch; install: " + TorchReference.INSTALL_HINT);
        double[] losses = Gpt2Benchmark.sameModelLosses(torch);
        assertTrue(Double.isFinite(losses[0]) && losses[0] > 0, "nanolens loss " + losses[0]);
        assertEquals(losses[1], losses[0], ModelBenchmark.SAME_MODEL_TOLERANCE * losses[1], "nanolens vs PyTorch");
    }
}
