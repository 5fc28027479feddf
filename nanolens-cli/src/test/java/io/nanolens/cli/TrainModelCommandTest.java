package io.nanolens.cli;

import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.train.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainModelCommandTest {
    /** 300 stories (3 held out), a 300-token tokenizer, d=32, 2 layers, context 16, 4 × 16 tokens per step. */
    static final List<String> SMALL_RUN = List.of("--corpus", "tinyworld:1:300", "--vocab", "300",
            "--tokenizer-chars", "200000", "--layers", "2", "--dim", "32", "--heads", "2", "--context", "16",
            "--batch", "4", "--eval-every", "3", "--eval-batches", "1", "--checkpoint-every", "3");

    @TempDir
    Path dir;

    static CliRun train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train-model", "--out", out.toString()));
        args.addAll(SMALL_RUN);
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static void assertUserError(CliRun run, String... parts) {
        assertEquals(2, run.code(), run.out() + run.err());
        assertFalse(run.errorLine().contains("\n"), "one line: " + run.err());
        assertTrue(run.errorLine().startsWith("nanolens: "), run.err());
        for (String part : parts) {
            assertTrue(run.errorLine().contains(part), "'" + part + "' in " + run.err());
        }
    }

    @Test
    void trainsTheTokenizerThenTheModelIntoALoadableModelDirectory() {
        CliRun run = train(dir, "--steps", "5");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("MB/s"), "tokenizer speed printed: " + run.out());
        assertTrue(run.out().contains("step 5/5"), run.out());
        assertTrue(run.out().contains("val loss"), run.out());
        for (String file : List.of(GptFiles.CONFIG_FILE, GptFiles.WEIGHTS_FILE, GptFiles.TOKENIZER_FILE,
                GptFiles.LOG_FILE)) {
            assertTrue(Files.isRegularFile(dir.resolve(file)), file);
        }
        GptFiles.Loaded model = GptFiles.load(dir);
        assertEquals(new GptConfig(16, model.tokenizer().vocabSize(), 2, 2, 2, 32), model.gpt().config());
        assertEquals(5, MetricsLog.read(dir.resolve(GptFiles.LOG_FILE)).size());
    }

    @Test
    void resumeContinuesTheSavedRunWithItsTokenizer() {
        assertEquals(0, train(dir, "--steps", "4").code());
        CliRun again = train(dir, "--steps", "4");
        assertUserError(again, "already holds a training run", "--resume");
        CliRun resumed = CliRun.of("train-model", "--corpus", "tinyworld:1:300", "--out", dir.toString(),
                "--resume", "--steps", "7");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("tokenizer: bpe-"), "reused, not retrained: " + resumed.out());
        assertFalse(resumed.out().contains("tokenizer: trained"), resumed.out());
        assertTrue(resumed.out().contains("from step 4 to 7"), resumed.out());
        List<MetricsLog.Entry> log = MetricsLog.read(dir.resolve(GptFiles.LOG_FILE));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), log.stream().map(MetricsLog.Entry::step).toList());
        assertEquals("7", GptFiles.load(dir).metadata().get("step"));
    }

    @Test
    void resumeWithoutACheckpointIsAOneLineError() {
        assertUserError(train(dir, "--resume"), "nothing to resume", dir.toString());
    }

    @Test
    void badPresetIsAOneLineErrorBeforeAnyWork() {
        assertUserError(CliRun.of("train-model", "--corpus", "tinyworld", "--out", dir.toString(),
                "--preset", "huge"), "unknown preset 'huge'", "tiny or small");
        assertFalse(Files.exists(dir.resolve(GptFiles.TOKENIZER_FILE)));
    }

    @Test
    void impossibleSizesAreAOneLineError() {
        assertUserError(CliRun.of("train-model", "--corpus", "tinyworld", "--out", dir.toString(), "--dim", "32",
                "--heads", "3"), "nEmbd 32 must be a multiple of nHead 3");
        assertUserError(train(dir, "--seq-len", "64"), "seq_len 64", "context 16");
    }

    @Test
    void missingOrEmptyCorpusIsAOneLineError() throws Exception {
        assertUserError(CliRun.of("train-model", "--corpus", dir.resolve("nope.txt").toString(), "--out",
                dir.resolve("m").toString()), "corpus not found", "nope.txt");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "  \n");
        assertUserError(CliRun.of("train-model", "--corpus", empty.toString(), "--out", dir.resolve("m").toString()),
                "has no documents");
    }

    @Test
    void missingAndMalformedOptionsAreAOneLineError() {
        assertUserError(CliRun.of("train-model", "--corpus", "tinyworld"), "--out", "train-model --help");
        assertUserError(CliRun.of("train-model", "--corpus", "tinyworld", "--out", "x", "--steps", "many"),
                "--steps", "many");
        assertUserError(CliRun.of("train-model", "--corpus", "tinyworld", "--out", "x", "--optimizer", "sgd"),
                "--optimizer");
    }
}
