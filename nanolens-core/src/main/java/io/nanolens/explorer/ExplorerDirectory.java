package io.nanolens.explorer;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads back what {@link StaticExplorer} wrote: each data file is {@code window.nanolensData("key", JSON);}, so the
 * live server can serve the JSON and exports can rebuild the {@link FeatureAtlas} without running the analysis
 * again.
 */
public final class ExplorerDirectory {
    private static final String PREFIX = "window.nanolensData(";

    private ExplorerDirectory() {
    }

    /** The atlas index file of an explorer directory. */
    public static Path atlasFile(Path dir) {
        return dir.resolve("data").resolve("atlas.js");
    }

    /**
     * The JSON payload of one data file.
     *
     * @throws NanolensException if the file is missing or not an explorer data file
     */
    public static JsonNode readData(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new NanolensException("cannot read " + file + ": " + e.getMessage()
                    + "; write the explorer again with ./nanolens dashboard");
        }
        int comma = text.indexOf(',');
        if (!text.startsWith(PREFIX) || comma < 0 || !text.endsWith(");")) {
            throw new NanolensException(file + " is not an explorer data file; write the explorer again");
        }
        return Json.readTree(text.substring(comma + 1, text.length() - 2), file.toString());
    }

    /**
     * The whole atlas of an explorer directory, cards in index order.
     *
     * @throws NanolensException if the directory is not an explorer or a file is damaged
     */
    public static FeatureAtlas read(Path dir) {
        Path atlasFile = atlasFile(dir);
        if (!Files.isRegularFile(atlasFile)) {
            throw new NanolensException(dir + " is not an explorer directory (no data/atlas.js); write one with "
                    + "./nanolens dashboard --out DIR");
        }
        JsonNode atlas = readData(atlasFile);
        List<FeatureCard> cards = new ArrayList<>();
        Path features = dir.resolve("data").resolve("features");
        try (Stream<Path> files = Files.list(features)) {
            List<Path> shards = files.filter(p -> p.getFileName().toString().matches("\\d+\\.js"))
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString()
                            .replace(".js", "")))).toList();
            for (Path shard : shards) {
                for (JsonNode card : readData(shard).path("features")) {
                    cards.add(Json.convert(card, FeatureCard.class, shard.toString()));
                }
            }
        } catch (IOException e) {
            throw new NanolensException("cannot list " + features + ": " + e.getMessage());
        }
        List<String> concepts = new ArrayList<>();
        atlas.path("concept_names").forEach(c -> concepts.add(c.asText()));
        return new FeatureAtlas(atlas.path("model_name").asText(), atlas.path("hook_name").asText(),
                atlas.path("sae_name").asText(), atlas.path("architecture").asText(), atlas.path("d_sae").asInt(),
                atlas.path("tokens_analysed").asLong(), concepts, cards);
    }
}
