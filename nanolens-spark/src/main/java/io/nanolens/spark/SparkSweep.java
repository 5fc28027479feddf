package io.nanolens.spark;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.sae.FeatureDensity;
import io.nanolens.sae.InputScale;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.sae.store.ActivationManifest;
import io.nanolens.sae.store.ActivationShards;
import io.nanolens.sae.store.RecentRows;
import io.nanolens.sae.train.SaeMetrics;
import io.nanolens.sae.train.SaeRun;
import io.nanolens.sae.train.SaeTrainer;
import io.nanolens.sae.train.SaeTrainingConfig;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep of SAEs as a Spark job (activations → SAEs): every SAE is an independent task that reads the collected
 * shards (in place when local, else copied once per executor), trains alone with the core's {@link SaeTrainer} on
 * rows scaled by the manifest's normalisation factor, and writes its SAELens directory, factor folded back and
 * densities measured on the last rows it trained on, to {@code OUT/NAME}, with its {@code metrics.jsonl}. Each
 * SAE is the one {@code train-sae --activations} trains when given that SAE alone with the same settings (same
 * shuffle window and seed, same initial weights); unlike a local sweep, the SAEs do not share one pass over the
 * rows, so a cluster trains as many at once as it has task slots.
 */
final class SparkSweep {
    /** Most floats of the shuffle window (128 MiB), as train-sae. */
    private static final long WINDOW_FLOATS = 1L << 25;
    /** Most floats of the sample of last rows the densities are measured on (32 MiB), as train-sae. */
    private static final long SAMPLE_FLOATS = 1L << 23;
    private static final int MIN_SAMPLE_ROWS = 1024;

    private SparkSweep() {
    }

    /**
     * What to train.
     *
     * @param activations a directory written by harvest or collect
     * @param saes        the SAEs' names ({@link SaeNames})
     * @param training    how to train each
     * @param out         where each SAE's directory goes
     */
    record Settings(String activations, List<String> saes, SaeTrainingConfig training, String out) {
    }

    /** One trained SAE: its name, directory and last metrics, and how long its task took. */
    record Trained(String name, String dir, int steps, long tokens, double fvu, double l0, double deadFraction,
                   double seconds) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** What every task needs besides its SAE's name; the training config travels as its JSON. */
    private record Task(String activations, int dIn, String training, String out, Storage storage)
            implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        SaeTrainingConfig config() {
            return Json.convert(Json.readTree(training, "the sweep's training settings"), SaeTrainingConfig.class,
                    "the sweep's training settings");
        }
    }

    /**
     * Trains every SAE of the sweep, one task each; returns them in the order given.
     *
     * @throws NanolensException for an unknown or repeated name, activations that are missing or fewer than the
     *                           token budget, or a location that cannot be read or written
     */
    static List<Trained> run(JavaSparkContext context, Settings s) {
        Storage storage = Storage.of(context);
        String activations = storage.qualified(s.activations());
        String out = storage.qualified(s.out());
        ActivationManifest manifest = manifest(activations, storage);
        Set<String> names = new LinkedHashSet<>();
        for (String name : s.saes()) {
            SaeNames.spec(name, manifest.dIn());
            if (!names.add(name)) {
                throw new NanolensException("the sweep names SAE " + name + " twice; name each SAE once");
            }
        }
        if (names.isEmpty()) {
            throw new NanolensException("nothing to train: give the SAEs with --sae, e.g. --sae topk-x8-k32");
        }
        if (manifest.tokens() < s.training().tokens()) {
            throw new NanolensException("activations in " + Storage.display(activations) + " hold "
                    + manifest.tokens() + " rows but --tokens is " + s.training().tokens()
                    + "; lower --tokens or harvest more");
        }
        storage.makeDirectory(out);
        Task task = new Task(activations, manifest.dIn(), Json.toTree(s.training()).toString(), out, storage);
        List<String> order = List.copyOf(names);
        return context.parallelize(order, order.size()).map(name -> train(name, task)).collect();
    }

    /** The manifest of {@code activations}, read through a local copy of that one file. */
    private static ActivationManifest manifest(String activations, Storage storage) {
        Path local = temporaryDirectory();
        try {
            storage.download(activations, ActivationManifest.FILE_NAME, local);
            return ActivationManifest.read(local);
        } finally {
            ExecutorCache.deleteTree(local);
        }
    }

    /** On an executor: trains one SAE as train-sae would alone and uploads its directory. */
    private static Trained train(String name, Task t) {
        long started = System.nanoTime();
        SaeTrainer.Spec spec = SaeNames.spec(name, t.dIn());
        Path dir = ExecutorCache.directory(t.activations(), t.storage());
        ActivationManifest manifest = ActivationShards.verify(dir);
        SaeTrainingConfig training = t.config();
        float factor = (float) manifest.normScalingFactor(); // train-sae scales in float and folds the same value
        int width = manifest.dIn();
        long window = Math.max(2L * training.batchRows(), Math.min(ActivationShards.DEFAULT_WINDOW_ROWS,
                WINDOW_FLOATS / width));
        int sampleRows = (int) Math.min(training.tokens(), Math.max(MIN_SAMPLE_ROWS, SAMPLE_FLOATS / width));
        Path run = temporaryDirectory();
        try (RecentRows rows = new RecentRows(ActivationShards.open(dir, (int) Math.min(window, training.tokens()),
                training.seed()).scaled(factor), sampleRows)) {
            SaeTrainer trainer = SaeTrainer.start(run, List.of(spec), training);
            SaeTrainer.Result result = trainer.train(rows, null);
            SaeRun trained = trainer.runs().getFirst();
            SaeMetadata metadata = new SaeMetadata(manifest.modelName(), manifest.hookName(), null,
                    manifest.contextSize(), false, manifest.excludeSpecialTokens(), manifest.corpus(),
                    Map.of("sequence_separator_token", "bos"));
            float[] density = FeatureDensity.of(trained.sae(), rows.rows(rows.held()), rows.held());
            Path sae = run.resolve(name);
            SaeLensFormat.write(sae, new SaeDirectory(InputScale.fold(trained.sae(), factor), metadata,
                    SaeDirectory.log10Density(density)));
            Files.copy(run.resolve(SaeTrainer.METRICS_FILE), sae.resolve(SaeTrainer.METRICS_FILE));
            String target = t.out() + "/" + name;
            t.storage().uploadFiles(sae, target);
            SaeMetrics last = result.last().getFirst();
            return new Trained(name, Storage.display(target), result.steps(), result.tokens(), last.fvu(),
                    last.l0(), last.deadFraction(), (System.nanoTime() - started) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the metrics of SAE " + name, e);
        } finally {
            ExecutorCache.deleteTree(run);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("nanolens-sweep-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }
}
