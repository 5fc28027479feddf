package io.nanolens.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.explorer.ActivatingContext;
import io.nanolens.explorer.FeatureAtlas;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.explorer.Histogram;
import io.nanolens.explorer.QuantileGroup;
import io.nanolens.explorer.TokenEffect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeuronpediaExportTest {

    private static FeatureCard card(int i) {
        ActivatingContext top = new ActivatingContext(List.of("The", " fox", " ran"), new float[] {0, 2.123456f, 1}, 1);
        ActivatingContext low = new ActivatingContext(List.of("a", " cat"), new float[] {0.3f, 0}, 0);
        return new FeatureCard(i, "fox " + i, 0.01 * (i % 10), 2.123456f, null, List.of(top),
                List.of(new QuantileGroup(0.1f, 0.5f, 0.25, List.of(low))),
                new Histogram(new float[] {0, 1, 2, 3}, new long[] {5, 2, 1}),
                List.of(new TokenEffect(" fox", 1.5f), new TokenEffect(" wolf", 1f)),
                List.of(new TokenEffect(" the", -0.7f)), List.of());
    }

    @Test
    void batchesHoldTheRunnersFieldsFilledFromTheCards(@TempDir Path dir) throws Exception {
        List<FeatureCard> cards = new ArrayList<>();
        for (int i = 0; i < 300; i += 1) {
            if (i != 7) {
                cards.add(card(i));
            }
        }
        FeatureAtlas atlas = new FeatureAtlas("m", "blocks.2.hook_resid_post", "s", "topk", 300, 5000, List.of(),
                cards);
        NeuronpediaExport.Settings settings = new NeuronpediaExport.Settings("nanolens-tiny", "res-topk", 2, 40, 128,
                "tinyworld");
        Path out = dir.resolve(NeuronpediaExport.directoryName(settings, atlas));
        NeuronpediaExport.write(atlas, settings, out);
        ObjectMapper plain = new ObjectMapper();
        JsonNode b0 = plain.readTree(Files.readString(out.resolve("batch-0.json")));
        JsonNode b2 = plain.readTree(Files.readString(out.resolve("batch-2.json")));
        assertEquals(128, b0.path("features").size());
        assertEquals(299 - 256, b2.path("features").size());
        assertEquals(2, b0.path("layer").asInt());
        assertEquals("res-topk", b0.path("sae_set").asText());
        JsonNode f = b0.path("features").get(3);
        assertEquals(3, f.path("feature_index").asInt());
        assertEquals(0.03, f.path("frac_nonzero").asDouble(), 1e-12);
        assertEquals(List.of(" fox", " wolf"), List.of(f.path("pos_str").get(0).asText(), f.path("pos_str").get(1).asText()));
        assertEquals(-0.7, f.path("neg_values").get(0).asDouble(), 1e-6);
        assertEquals(List.of(0.5, 1.5, 2.5), List.of(f.path("freq_hist_data_bar_values").get(0).asDouble(),
                f.path("freq_hist_data_bar_values").get(1).asDouble(), f.path("freq_hist_data_bar_values").get(2).asDouble()));
        assertEquals(5, f.path("freq_hist_data_bar_heights").get(0).asInt());
        JsonNode first = f.path("activations").get(0);
        assertEquals(-1, first.path("bin_min").asDouble());
        assertEquals(2.12346, first.path("bin_max").asDouble(), 1e-9, "rounded to 5 decimals");
        assertEquals(1, first.path("qualifying_token_index").asInt());
        assertEquals(2.12346, first.path("values").get(1).asDouble(), 1e-9);
        JsonNode quantile = f.path("activations").get(1);
        assertEquals(0.1, quantile.path("bin_min").asDouble(), 1e-6);
        assertEquals(0.25, quantile.path("bin_contains").asDouble(), 1e-12);
        assertEquals(" cat", quantile.path("tokens").get(1).asText());
        JsonNode skipped = plain.readTree(Files.readString(out.resolve("skipped_indexes.json")));
        assertEquals(7, skipped.path("skipped_indexes").get(0).asInt());
        assertEquals("2", skipped.path("layer").asText());
        assertEquals("nanolens-tiny_res-topk_blocks.2.hook_resid_post_300", out.getFileName().toString());
    }
}
