package io.nanolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.model.GptFiles;
import io.nanolens.model.Sampler;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.steer.InterpretableModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SteerAndTraceCommandTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path sae;
    static Path wrongSae;

    @BeforeAll
    static void modelAndSae() {
        model = dir.resolve("model");
        CliRun run = TrainModelCommandTest.train(model, "--steps", "6");
        assertEquals(0, run.code(), run.err());
        sae = dir.resolve("sae");
        SaeLensFormat.write(sae, new SaeDirectory(Sae.create(SaeConfig.of(Architecture.TOP_K, 32, 128).withK(4), 1),
                SaeMetadata.of("test", "blocks.1.hook_resid_post", 16), null));
        wrongSae = dir.resolve("wrong");
        SaeLensFormat.write(wrongSae, new SaeDirectory(Sae.create(SaeConfig.of(Architecture.RELU, 24, 64), 1),
                SaeMetadata.of("test", "blocks.1.hook_resid_post", 16), null));
    }

    @Test
    void tracePrintsEveryTokenWithItsFeatures() {
        CliRun run = CliRun.of("trace", "--model", model.toString(), "--sae", sae.toString(), "--prompt",
                "Tom saw a red cat", "--top", "3");
        assertEquals(0, run.code(), run.err());
        GptFiles.Loaded loaded = GptFiles.load(model);
        int tokens = loaded.tokenizer().encode("Tom saw a red cat").length;
        List<String> lines = run.out().strip().lines().toList();
        assertEquals(tokens + 1, lines.size(), run.out());
        for (String line : lines.subList(1, lines.size())) {
            long features = Arrays.stream(line.split("\\s+")).filter(w -> w.matches("\\d+:[0-9.]+")).count();
            assertEquals(3, features, "TopK k=4 leaves at least 3 features per token: " + line);
        }
    }

    @Test
    void steerPrintsTheUnsteeredSampleBesideTheSteeredOne() {
        CliRun run = CliRun.of("steer", "--model", model.toString(), "--sae", sae.toString(), "--feature", "7",
                "--strength", "30", "--mode", "clamp", "--prompt", "Tom saw", "--max-tokens", "12", "--seed", "3");
        assertEquals(0, run.code(), run.err());
        String header = run.out().lines().findFirst().orElseThrow();
        assertTrue(header.startsWith("unsteered") && header.contains("feature 7 clamp 30.0"), header);
        GptFiles.Loaded loaded = GptFiles.load(model);
        String expected = new InterpretableModel(loaded.gpt(), loaded.tokenizer())
                .complete("Tom saw", 12, new Sampler(0.8f, 50, 3));
        String left = run.out().lines().skip(2).map(l -> l.split(" \\| ", 2)[0].strip())
                .filter(s -> !s.isEmpty()).reduce((a, b) -> a + " " + b).orElse("");
        assertEquals(expected.replaceAll("\\s+", " ").strip(), left.replaceAll("\\s+", " "));
    }

    @Test
    void mistakesGetOneLineAndExitCode2() {
        for (String[] args : List.of(
                new String[] {"steer", "--model", model.toString(), "--sae", wrongSae.toString(), "--feature", "1",
                        "--prompt", "a"},
                new String[] {"steer", "--model", model.toString(), "--sae", sae.toString(), "--feature", "1",
                        "--mode", "boost", "--prompt", "a"},
                new String[] {"steer", "--model", model.toString(), "--sae", sae.toString(), "--feature", "128",
                        "--prompt", "a"},
                new String[] {"trace", "--model", model.toString(), "--sae", dir.resolve("none").toString(),
                        "--prompt", "a"},
                new String[] {"trace", "--model", model.toString(), "--sae", sae.toString(), "--prompt", ""})) {
            CliRun run = CliRun.of(args);
            assertEquals(2, run.code(), String.join(" ", args) + " → " + run.out() + run.err());
            assertEquals(1, run.errorLine().lines().count(), run.err());
        }
    }
}
