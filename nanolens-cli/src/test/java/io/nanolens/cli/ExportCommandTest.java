package io.nanolens.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.explorer.ActivatingContext;
import io.nanolens.explorer.FeatureAtlas;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.explorer.Histogram;
import io.nanolens.explorer.StaticExplorer;
import io.nanolens.io.Json;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {

    private static Path sae(Path dir, int dSae) {
        Path out = dir.resolve("sae" + dSae);
        SaeLensFormat.write(out, new SaeDirectory(Sae.create(SaeConfig.of(Architecture.TOP_K, 8, dSae).withK(2), 3),
                SaeMetadata.of("tiny", "blocks.1.hook_resid_post", 64), null));
        return out;
    }

    private static Path explorer(Path dir, int dSae) {
        List<FeatureCard> cards = new ArrayList<>();
        for (int i = 0; i < dSae; i++) {
            cards.add(new FeatureCard(i, "f" + i, 0.1, 1f, null,
                    List.of(new ActivatingContext(List.of("a", "b"), new float[] {0.5f, 1f}, 1)), List.of(),
                    Histogram.EMPTY, List.of(), List.of(), List.of()));
        }
        Path out = dir.resolve("explorer");
        StaticExplorer.write(new FeatureAtlas("runs/demo/model", "blocks.1.hook_resid_post", "sae", "topk", dSae,
                6400, List.of(), cards), out);
        return out;
    }

    @Test
    void saelensExportReadsBackToTheSameSae(@TempDir Path dir) {
        Path sae = sae(dir, 16);
        CliRun run = CliRun.of("export", "--sae", sae.toString(), "--format", "saelens", "--out",
                dir.resolve("out").toString());
        assertEquals(0, run.code(), run.err());
        SaeDirectory back = SaeLensFormat.read(dir.resolve("out"));
        float[] x = {1, -2, 3, 0.5f, 0, 1, 2, -1};
        assertArrayEquals(SaeLensFormat.read(sae).sae().encode(x, 1), back.sae().encode(x, 1));
    }

    @Test
    void neuronpediaExportWritesTheSaeAndOneBatchPer128Features(@TempDir Path dir) throws Exception {
        Path sae = sae(dir, 200);
        CliRun run = CliRun.of("export", "--sae", sae.toString(), "--format", "neuronpedia", "--dashboard",
                explorer(dir, 200).toString(), "--out", dir.resolve("np").toString());
        assertEquals(0, run.code(), run.err());
        Path batches = dir.resolve("np").resolve("model_res-topk_blocks.1.hook_resid_post_200");
        assertTrue(Files.isRegularFile(batches.resolve("batch-1.json")), run.out());
        assertEquals(72, Json.readTree(batches.resolve("batch-1.json")).path("features").size());
        assertEquals(1, Json.readTree(batches.resolve("batch-0.json")).path("layer").asInt());
        assertEquals(16, SaeLensFormat.read(dir.resolve("np").resolve("sae")).sae().dIn() * 2);
    }

    @Test
    void mistakesGetOneLine(@TempDir Path dir) {
        Path sae = sae(dir, 16);
        for (String[] args : List.of(
                new String[] {"export", "--sae", sae.toString(), "--format", "onnx", "--out", dir.toString()},
                new String[] {"export", "--sae", sae.toString(), "--format", "neuronpedia", "--out", dir.toString()},
                new String[] {"export", "--sae", sae.toString(), "--format", "neuronpedia", "--dashboard",
                        explorer(dir, 32).toString(), "--out", dir.resolve("x").toString()})) {
            CliRun run = CliRun.of(args);
            assertEquals(2, run.code(), run.out() + run.err());
            assertEquals(1, run.errorLine().lines().count(), run.err());
        }
    }
}
