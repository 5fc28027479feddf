package io.nanolens.spark;

import io.nanolens.sae.store.ActivationManifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code nanolens spark} through its command line, each run on a Spark context of its own as the jar runs it: the
 * shared test context is stopped first (one context per JVM).
 */
class SparkMainTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void makeModel() throws IOException {
        model = SparkFixtures.model(Files.createDirectories(dir.resolve("model")), 32, 5);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        SparkFixtures.stop();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineMistake(Run run, String part) {
        assertEquals(2, run.code(), run.out() + run.err());
        String line = run.err().strip();
        assertTrue(line.startsWith("nanolens: ") && line.contains(part), run.err());
        assertFalse(line.contains("\n"), "one line: " + run.err());
    }

    @Test
    void harvestOnTheCommandLineWritesTheShardsAndSaysWhere() {
        Path out = dir.resolve("acts");
        Run run = run("harvest", "--master", "local[2]", "--partitions", "3", "--model", model.toString(), "--hook",
                SparkFixtures.HOOK, "--corpus", "tinyworld:2:30", "--tokens", "5000", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        ActivationManifest m = ActivationManifest.read(out);
        assertEquals(5000, m.tokens());
        assertTrue(run.out().contains("local[2], 3 partitions"), run.out());
        assertTrue(run.out().contains("5,000 rows x 32") && run.out().contains(out.toString()), run.out());
    }

    @Test
    void aMistakeFoundInATaskIsOneLineWithExitCode2() throws IOException {
        Path jsonl = dir.resolve("bad.jsonl");
        Files.writeString(jsonl, "{\"text\": \"Mia had a red ball.\"}\n{\"text\": 42}\n");
        Run run = run("harvest", "--master", "local[1]", "--model", model.toString(), "--hook", SparkFixtures.HOOK,
                "--corpus", jsonl.toString(), "--tokens", "100", "--out", dir.resolve("bad").toString());
        assertOneLineMistake(run, "has a line with no string field \"text\"");
    }

    @Test
    void aBadOptionIsAOneLineMistake() {
        assertOneLineMistake(run("harvest", "--model", model.toString(), "--hook", SparkFixtures.HOOK, "--corpus",
                "tinyworld", "--tokens", "100", "--out", "x", "--dtype", "f16"), "unknown --dtype 'f16'");
        assertOneLineMistake(run("analyse", "--master", "local[1]", "--model", model.toString(), "--sae", "s",
                "--corpus", "tinyworld", "--out", dir.resolve("e").toString(), "--partitions", "0"),
                "--partitions is 0");
    }
}
