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

    @Test
    void anSaeTrainedOnAGpt2IsEvaluatedExploredTracedAndSteered() {
        String m = model.toString();
        Path sae = dir.resolve("sae");
        CliRun train = CliRun.of("train-sae", "--model", m, "--hook", "blocks.1.hook_resid_pre", "--corpus",
                SaeCliFixtures.CORPUS, "--arch", "topk", "--expansion", "4", "--k", "4", "--tokens", "4096",
                "--batch", "512", "--context-size", "32", "--out", sae.toString());
        assertEquals(0, train.code(), train.err());
        CliRun eval = CliRun.of("eval", "--model", m, "--sae", sae.toString(), "--corpus", SaeCliFixtures.CORPUS,
                "--tokens", "500", "--json");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("\"ce_loss_recovered\""), eval.out());
        Path explorer = dir.resolve("explorer");
        CliRun dashboard = CliRun.of("dashboard", "--model", m, "--sae", sae.toString(), "--corpus",
                SaeCliFixtures.CORPUS, "--tokens", "1000", "--out", explorer.toString());
        assertEquals(0, dashboard.code(), dashboard.err());
        assertTrue(java.nio.file.Files.isRegularFile(explorer.resolve("index.html")));
        CliRun trace = CliRun.of("trace", "--model", m, "--sae", sae.toString(), "--prompt", "Hello world");
        assertEquals(0, trace.code(), trace.err());
        assertTrue(trace.out().contains("' world'"), trace.out());
        CliRun steer = CliRun.of("steer", "--model", m, "--sae", sae.toString(), "--feature", "3", "--strength",
                "5", "--mode", "add", "--prompt", "Hello", "--max-tokens", "4");
        assertEquals(0, steer.code(), steer.err());
        assertTrue(steer.out().contains("feature 3"), steer.out());
    }
}
