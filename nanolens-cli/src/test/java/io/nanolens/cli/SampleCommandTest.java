package io.nanolens.cli;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptFiles;
import io.nanolens.model.GptState;
import io.nanolens.text.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleCommandTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void trainAModel() {
        CliRun run = TrainModelCommandTest.train(dir, "--steps", "30");
        assertEquals(0, run.code(), run.err());
    }

    /** Greedy decoding with a full forward pass over the whole text at every step, no KV cache. */
    private static String greedyWithoutCache(GptFiles.Loaded model, String prompt, int maxTokens) {
        Tokenizer tokenizer = model.tokenizer();
        Gpt gpt = model.gpt();
        int vocab = gpt.config().vocabSize();
        int[] ids = tokenizer.encode(prompt);
        int[] text = new int[ids.length + 1 + maxTokens];
        text[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, text, 1, ids.length);
        int length = ids.length + 1;
        int start = length;
        GptState state = GptState.forInference(gpt.config(), 1, text.length);
        while (length < text.length) {
            gpt.forward(state, Arrays.copyOf(text, length), 1, length, null, null);
            float[] logits = state.logits();
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[(length - 1) * vocab + v] > logits[(length - 1) * vocab + best]) {
                    best = v;
                }
            }
            if (best == tokenizer.bosId()) {
                break;
            }
            text[length++] = best;
        }
        return prompt + tokenizer.decode(text, start, length);
    }

    @Test
    void greedySampleMatchesGreedyDecodingWithFullForwardPasses() {
        CliRun run = CliRun.of("sample", "--model", dir.toString(), "--prompt", "Tom saw a", "--temperature", "0",
                "--max-tokens", "30");
        assertEquals(0, run.code(), run.err());
        assertEquals(greedyWithoutCache(GptFiles.load(dir), "Tom saw a", 30) + System.lineSeparator(), run.out());
    }

    @Test
    void aSeedReproducesASampleAndAnotherSeedChangesIt() {
        String[] args = {"sample", "--model", dir.toString(), "--prompt", "Once upon a time", "--max-tokens", "40",
                "--temperature", "1", "--top-k", "0", "--seed", "5"};
        CliRun first = CliRun.of(args);
        CliRun second = CliRun.of(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().startsWith("Once upon a time"), first.out());
        assertEquals(first.out(), second.out());
        args[args.length - 1] = "6";
        assertNotEquals(first.out(), CliRun.of(args).out());
    }

    @Test
    void missingOrIncompleteModelDirectoryIsAOneLineError() throws Exception {
        CliRun run = CliRun.of("sample", "--model", dir.resolve("nope").toString(), "--prompt", "Hi");
        assertEquals(2, run.code());
        assertTrue(run.errorLine().startsWith("nanolens: model directory"), run.err());
        Path partial = Files.createDirectories(dir.resolve("partial"));
        Files.copy(dir.resolve(GptFiles.CONFIG_FILE), partial.resolve(GptFiles.CONFIG_FILE));
        run = CliRun.of("sample", "--model", partial.toString());
        assertEquals(2, run.code());
        assertTrue(run.errorLine().contains("has no model.safetensors"), run.err());
    }

    @Test
    void badSamplingSettingsAreAOneLineError() {
        CliRun run = CliRun.of("sample", "--model", dir.toString(), "--temperature", "-1");
        assertEquals(2, run.code());
        assertTrue(run.errorLine().contains("temperature"), run.err());
    }
}
