package io.nanolens.cli;

import io.nanolens.io.SafeTensors;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.nanolens.cli.CollectCommandTest.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainSaeCommandTest {
    private static final int ROWS = 4096;

    @TempDir
    static Path dir;
    static Path model;
    static Path acts;
    static float[] raw;

    @TempDir
    Path run;

    @BeforeAll
    static void modelAndActivations() throws Exception {
        model = SaeCliFixtures.model(Files.createDirectories(dir.resolve("model")), 32, 1);
        acts = dir.resolve("acts");
        CliRun collect = CollectCommandTest.collect(model, acts, "--tokens", "" + ROWS);
        assertEquals(0, collect.code(), collect.err());
        raw = SaeCliFixtures.rows(acts);
    }

    /** train-sae on the collected rows with a small batch; {@code extra} adds or overrides options. */
    private static CliRun trainSae(Path out, String... extra) {
        String[] base = {"train-sae", "--model", model.toString(), "--hook", SaeCliFixtures.HOOK, "--activations",
                acts.toString(), "--tokens", "" + ROWS, "--batch", "256", "--lr", "0.004", "--out", out.toString()};
        return CliRun.of(CliRun.with(base, extra));
    }

    private static SaeTraining.Request harvestRequest(String... arch) {
        return new SaeTraining.Request(model.toString(), SaeCliFixtures.HOOK, null, SaeCliFixtures.CORPUS, null,
                false, new SaeSweep(List.of(arch), List.of(4), List.of(4), List.of()),
                SaeTrainingConfig.of(2048).withBatchRows(128).withLr(0.004f));
    }

    private static String[] harvestArgs(Path out) {
        return new String[] {"train-sae", "--model", model.toString(), "--hook", SaeCliFixtures.HOOK, "--corpus",
                SaeCliFixtures.CORPUS, "--arch", "topk,jumprelu", "--expansion", "4", "--k", "4", "--tokens", "2048",
                "--batch", "128", "--lr", "0.004", "--out", out.toString()};
    }

    @Test
    void trainedDirectoryLoadsAndItsSaeReconstructsRawActivations() {
        CliRun result = trainSae(run, "--arch", "topk", "--expansion", "8", "--k", "4");
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("topk-x8-k4") && result.out().contains("fvu"), result.out());
        SaeDirectory saved = SaeLensFormat.read(run);
        Sae sae = saved.sae();
        assertEquals(Architecture.TOP_K, sae.architecture());
        assertEquals(32, sae.dIn());
        assertEquals(256, sae.dSae());
        assertEquals(4, sae.config().k());
        SaeMetadata meta = saved.metadata();
        assertEquals(model.toString(), meta.modelName());
        assertEquals(SaeCliFixtures.HOOK, meta.hookName());
        assertEquals(32, meta.contextSize());
        assertTrue(meta.excludeSpecialTokens());
        assertFalse(meta.prependBos(), "contexts are cut from the token stream, not started with BOS");
        double l0 = 0;
        for (float log : saved.log10Density()) {
            assertTrue(log <= 0 && log >= -10, "log10 density " + log);
            l0 += Math.pow(10, log) - SaeDirectory.DENSITY_EPSILON;
        }
        assertTrue(l0 > 2 && l0 <= 4 + 1e-3, "densities sum to the mean L0 of a k = 4 SAE: " + l0);
        int rows = raw.length / 32;
        float[] f = sae.encode(raw, rows);
        for (int r = 0; r < rows; r++) {
            int active = 0;
            for (int i = 0; i < 256; i++) {
                active += f[r * 256 + i] > 0 ? 1 : 0;
            }
            assertTrue(active <= 4, "row " + r + " has " + active);
        }
        double fvu = SaeCliFixtures.fvu(raw, sae.forward(raw, rows), 32);
        double trainedFvu = SaeTraining.loggedMetrics(run).get("topk-x8-k4").fvu();
        assertTrue(fvu < 0.8 && Math.abs(fvu - trainedFvu) < 0.05, "FVU on raw rows " + fvu + ", trained "
                + trainedFvu);
    }

    @Test
    void savedSaeOnRawRowsGivesTheCheckpointSaeOnScaledRowsDividedByTheFactor() {
        assertEquals(0, trainSae(run, "--arch", "gated", "--expansion", "4", "--l1", "0.3").code());
        SaeRunSettings settings = SaeRunSettings.read(run);
        SaeTrainer.Spec spec = settings.saes().getFirst();
        Map<String, Tensor> params = new LinkedHashMap<>();
        try (SafeTensors checkpoint = SafeTensors.open(run.resolve("checkpoint").resolve(spec.name()
                + ".safetensors"))) {
            Sae.parameterShapes(spec.config()).keySet().forEach(name -> params.put(name, checkpoint.load(name)));
        }
        Sae trained = Sae.of(spec.config(), params);
        Sae saved = SaeLensFormat.read(run).sae();
        double s = settings.normScalingFactor();
        int rows = 512;
        float[] x = Arrays.copyOf(raw, rows * 32);
        float[] scaled = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            scaled[i] = (float) (x[i] * s);
        }
        float[] expected = trained.forward(scaled, rows);
        float[] actual = saved.forward(x, rows);
        for (int i = 0; i < expected.length; i++) {
            float want = (float) (expected[i] / s);
            assertEquals(want, actual[i], 1e-4 * (1 + Math.abs(want)), "value " + i);
        }
    }

    @Test
    void sweepTrainsEverySaeOnOneStreamIntoItsOwnDirectory() {
        CliRun result = trainSae(run, "--arch", "topk,relu", "--arch", "batchtopk", "--expansion", "2", "--k", "2,4",
                "--l1", "0.5", "--live");
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("--live needs a terminal"), "tests do not run in one: " + result.out());
        List<String> names = List.of("topk-x2-k2", "topk-x2-k4", "relu-x2-l1-0.5", "batchtopk-x2-k2",
                "batchtopk-x2-k4");
        for (String name : names) {
            Sae sae = SaeLensFormat.read(run.resolve(name)).sae();
            assertEquals(64, sae.dSae(), name);
        }
        assertEquals(names, List.copyOf(SaeTraining.loggedMetrics(run).keySet()));
        assertFalse(Files.exists(run.resolve(SaeLensFormat.CONFIG_FILE)), "a sweep keeps DIR for the run");
    }

    @Test
    void runStoppedAndResumedOnTheFlyEndsWithTheSameSaesAsAnUninterruptedRun() throws Exception {
        Path whole = run.resolve("whole");
        Path parts = run.resolve("parts");
        CliRun uninterrupted = CliRun.of(harvestArgs(whole));
        assertEquals(0, uninterrupted.code(), uninterrupted.err());
        StringWriter text = new StringWriter();
        SaeTraining.Outcome stopped = SaeTraining.run(parts, harvestRequest("topk", "jumprelu"), false, false, 5,
                new PrintWriter(text, true));
        assertTrue(stopped.result().stopped() && stopped.saved().isEmpty(), text.toString());
        assertTrue(text.toString().contains("continue with --resume"), text.toString());
        CliRun resumed = CliRun.of(harvestArgs(parts)[0], "--out", parts.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("from step 5 to 16"), resumed.out());
        for (String name : List.of("topk-x4-k4", "jumprelu-x4-l0-1")) {
            for (String file : List.of(SaeLensFormat.WEIGHTS_FILE, SaeLensFormat.SPARSITY_FILE)) {
                assertArrayEquals(Files.readAllBytes(whole.resolve(name).resolve(file)),
                        Files.readAllBytes(parts.resolve(name).resolve(file)), name + "/" + file);
            }
        }
        assertEquals(Files.readAllLines(whole.resolve(SaeTrainer.METRICS_FILE)).size(),
                Files.readAllLines(parts.resolve(SaeTrainer.METRICS_FILE)).size());
    }

    @Test
    void resumeChecksTheOptionsAndRefusesWhenThereIsNothingToResume() {
        assertUserError(trainSae(run, "--resume"), "nothing to resume", run.toString());
        assertEquals(0, trainSae(run, "--k", "4").code());
        assertUserError(trainSae(run, "--k", "4"), "already holds an SAE run", "--resume");
        assertUserError(trainSae(run, "--k", "8", "--resume"), "other settings", "topk-x8-k4", "topk-x8-k8");
        CliRun again = trainSae(run, "--k", "4", "--resume");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("from step 16 to 16"), again.out());
    }

    @Test
    void activationsThatDoNotFitTheModelHookOrBudgetAreOneLineErrors() throws Exception {
        Path other = SaeCliFixtures.model(Files.createDirectories(run.resolve("other")), 32, 2);
        Path wider = SaeCliFixtures.model(Files.createDirectories(run.resolve("wider")), 48, 1);
        assertUserError(trainSae(run.resolve("a"), "--hook", "blocks.0.hook_resid_post"),
                "from hook " + SaeCliFixtures.HOOK, "not blocks.0.hook_resid_post");
        assertUserError(trainSae(run.resolve("b"), "--model", wider.toString()), "are 32 wide", "48 wide",
                "SAE's d_in");
        assertUserError(trainSae(run.resolve("c"), "--model", other.toString()), "were collected from model",
                model.toAbsolutePath().normalize().toString());
        assertUserError(trainSae(run.resolve("d"), "--tokens", "100000"), "hold " + ROWS + " rows",
                "--tokens is 100000");
        assertUserError(trainSae(run.resolve("e"), "--corpus", "tinyworld"), "--corpus", "own");
        assertUserError(trainSae(run.resolve("f"), "--hook", "blocks.2.hook_resid_post"), "unknown hook point");
    }

    @Test
    void badSweepsAndMissingOptionsAreOneLineErrors() {
        assertUserError(trainSae(run, "--arch", "relu", "--k", "8"), "--k is for topk");
        assertUserError(trainSae(run, "--arch", "topk", "--l1", "2"), "--l1 is for relu");
        assertUserError(trainSae(run, "--arch", "sparse"), "unknown SAE architecture 'sparse'", "topk");
        assertUserError(trainSae(run, "--k", "300"), "k = 300", "d_sae = 256");
        assertUserError(CliRun.of("train-sae", "--out", run.toString()), "needs --model");
        assertUserError(CliRun.of("train-sae", "--model", model.toString(), "--hook", SaeCliFixtures.HOOK,
                "--tokens", "10", "--out", run.toString()), "needs --corpus", "--activations");
        assertFalse(Files.exists(run.resolve(SaeRunSettings.FILE_NAME)), "nothing started");
    }
}
