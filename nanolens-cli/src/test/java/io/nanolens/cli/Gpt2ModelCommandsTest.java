package io.nanolens.cli;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.sae.store.ActivationManifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands take a Hugging Face GPT-2 directory for {@code --model} as they take a nanolens one: a tiny random
 * GPT-2 with GPT-2's own vocabulary (so the r50k tokenizer applies), saved in Hugging Face's layout.
 */
class Gpt2ModelCommandsTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void saveAGpt2() {
        model = dir.resolve("gpt2");
        GptFiles.save(model, new Gpt(GptConfig.gpt2(64, 50257, 2, 2, 16, GptConfig.GPT2_EPS), 11), Map.of());
    }

    @Test
    void sampleContinuesAPromptWithGpt2sTokenizer() {
        CliRun run = CliRun.of("sample", "--model", model.toString(), "--prompt", "Hello world", "--max-tokens", "5",
                "--temperature", "0");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("Hello world"), run.out());
    }

    @Test
    void collectHarvestsAGpt2sResidualStream() {
        Path out = dir.resolve("acts");
        CliRun run = CliRun.of("collect", "--model", model.toString(), "--hook", "blocks.1.hook_resid_post",
                "--corpus", SaeCliFixtures.CORPUS, "--tokens", "2000", "--context-size", "32", "--out",
                out.toString());
        assertEquals(0, run.code(), run.err());
        ActivationManifest m = ActivationManifest.read(out);
        assertEquals(16, m.dIn());
        assertEquals(2000, m.tokens());
    }
}
