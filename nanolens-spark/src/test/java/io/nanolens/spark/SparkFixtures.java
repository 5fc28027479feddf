package io.nanolens.spark;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.sae.store.ActivationStream;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.TinyWorld;
import org.apache.spark.api.java.JavaSparkContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fixtures for the Spark tests: one real local[2] Spark shared by every test of the module (bound to 127.0.0.1,
 * no UI; stopped by a command's test, started again on the next use), and model directories made in milliseconds
 * (a 300-token BPE tokenizer, a random 2-layer GPT with context 32).
 */
final class SparkFixtures {
    static final String HOOK = "blocks.1.hook_resid_post";
    private static JavaSparkContext context;

    private SparkFixtures() {
    }

    /** The shared local[2] context, started on first use. */
    static synchronized JavaSparkContext spark() {
        if (context == null || context.sc().isStopped()) {
            context = Cluster.open("nanolens-test", "local[2]");
        }
        return context;
    }

    /** Stops the shared context, so a command can start its own (one context per JVM). */
    static synchronized void stop() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

    /**
     * A model directory with a d = {@code dim}, 2-layer, 2-head GPT of context 32: nanochat's initialisation with its
     * zero output projections made random, so that every block changes the residual stream.
     */
    static Path model(Path dir, int dim, long seed) {
        TinyWorld world = new TinyWorld(3, 50);
        Bpe tokenizer = Bpe.train(() -> world.documents().iterator(), 300);
        Gpt gpt = new Gpt(new GptConfig(32, tokenizer.vocabSize(), 2, 2, 2, dim), seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        gpt.parameters().forEach((name, t) -> {
            if (name.endsWith("c_proj.weight")) {
                float std = (float) (1 / Math.sqrt(t.dim(1)));
                System.arraycopy(Tensor.randn(random.nextLong(), std, t.shape()).data(), 0, t.data(), 0, t.size());
            }
        });
        tokenizer.save(dir);
        GptFiles.save(dir, gpt, Map.of());
        return dir;
    }

    /** Every row of a stream, [rows, width] row-major. */
    static float[] rows(ActivationStream stream) {
        List<float[]> pieces = new ArrayList<>();
        int total = 0;
        float[] buffer = new float[1024 * stream.width()];
        for (int n; (n = stream.read(buffer, 0, 1024)) > 0; ) {
            pieces.add(Arrays.copyOf(buffer, n * stream.width()));
            total += n * stream.width();
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] p : pieces) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
