package io.nanolens.spark;

import io.nanolens.io.Dtype;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.InputScale;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.store.ActivationHarvester;
import io.nanolens.sae.store.ActivationManifest;
import io.nanolens.sae.store.ActivationShards;
import io.nanolens.sae.store.ActivationStream;
import io.nanolens.sae.store.HarvestConfig;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Corpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spark sweep of three SAEs: each task writes a loadable SAELens directory with densities and metrics, and each SAE
 * is, bit for bit, the one a single-SAE training on the same shards gives (the window, seed and normalisation factor
 * train-sae uses), folded by the manifest's factor.
 */
class SparkSweepTest {
    @TempDir
    static Path dir;

    @Test
    void threeSaesTrainAsIndependentTasksEachAsItWouldAlone() throws IOException {
        Path model = SparkFixtures.model(Files.createDirectories(dir.resolve("model")), 32, 4);
        GptFiles.Loaded loaded = GptFiles.load(model);
        Path acts = dir.resolve("acts");
        HarvestConfig harvest = new HarvestConfig(HookPoint.parse(SparkFixtures.HOOK, loaded.gpt().config()), 32, 8,
                false, 24_000);
        ActivationManifest manifest;
        try (ActivationHarvester h = new ActivationHarvester(loaded.gpt(), loaded.tokenizer(),
                Corpus.open("tinyworld:4:60"), harvest)) {
            manifest = ActivationShards.write(h, h.origin(model.toString()), acts, Dtype.F32, 10_000);
        }
        List<String> names = List.of("topk-x4-k8", "batchtopk-x4-k8", "relu-x4-l1-5");
        SaeTrainingConfig training = SaeTrainingConfig.of(16_000).withBatchRows(1024).withSeed(7);
        Path out = dir.resolve("sweep");
        List<SparkSweep.Trained> trained = SparkSweep.run(SparkFixtures.spark(), new SparkSweep.Settings(
                acts.toString(), names, training, out.toString()));
        assertEquals(names, trained.stream().map(SparkSweep.Trained::name).toList());
        float factor = (float) manifest.normScalingFactor();
        for (SparkSweep.Trained t : trained) {
            Path saeDir = out.resolve(t.name());
            assertEquals(saeDir.toString(), t.dir());
            assertEquals(training.steps(), t.steps());
            assertTrue(t.fvu() < 1 && t.l0() > 0, t.toString());
            SaeDirectory saved = SaeLensFormat.read(saeDir);
            assertNotNull(saved.log10Density(), "sparsity.safetensors is missing");
            assertEquals(SparkFixtures.HOOK, saved.metadata().hookName());
            assertEquals(model.toString(), saved.metadata().modelName());
            long logged = IntStream.range(0, training.steps())
                    .filter(step -> step % training.logEvery() == 0 || step == training.steps() - 1).count();
            assertEquals(logged, Files.readAllLines(saeDir.resolve(SaeTrainer.METRICS_FILE)).stream()
                    .filter(line -> line.contains("\"" + t.name() + "\"")).count(), "metrics.jsonl lines");
            Sae alone = trainAlone(acts, SaeNames.spec(t.name(), 32), training, dir.resolve("alone-" + t.name()));
            Map<String, Tensor> expected = InputScale.fold(alone, factor).parameters();
            Map<String, Tensor> actual = saved.sae().parameters();
            assertEquals(expected.keySet(), actual.keySet(), t.name());
            expected.forEach((param, tensor) -> assertArrayEquals(tensor.data(), actual.get(param).data(),
                    t.name() + " " + param));
        }
    }

    /** One SAE trained alone on the shards as train-sae reads them: its shuffle window, the training seed, scaled. */
    private static Sae trainAlone(Path acts, SaeTrainer.Spec spec, SaeTrainingConfig training, Path run) {
        ActivationManifest m = ActivationShards.verify(acts);
        int window = (int) Math.min(training.tokens(), Math.max(2L * training.batchRows(),
                Math.min(ActivationShards.DEFAULT_WINDOW_ROWS, (1L << 25) / m.dIn())));
        try (ActivationStream rows = ActivationShards.open(acts, window, training.seed())
                .scaled((float) m.normScalingFactor())) {
            SaeTrainer trainer = SaeTrainer.start(run, List.of(spec), training);
            trainer.train(rows, null);
            return trainer.runs().getFirst().sae();
        }
    }
}
