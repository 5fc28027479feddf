package io.nanolens.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.explorer.ExplorerDirectory;
import io.nanolens.explorer.StaticExplorer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The feature data of an explorer directory written by {@code ./nanolens dashboard}, served by the live server as
 * JSON: the atlas index and one card at a time, read ({@link ExplorerDirectory#readData}) from the same
 * {@code data/*.js} files the static pages load, so both views show exactly the same numbers. A few recently read
 * shards are kept parsed.
 */
public final class DashboardData {
    private static final int CACHED_SHARDS = 8;

    private final Path dir;
    private final JsonNode atlas;
    private final Map<String, JsonNode> shards = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonNode> eldest) {
            return size() > CACHED_SHARDS;
        }
    };

    public DashboardData(Path dir) {
        this.dir = dir;
        Path atlasFile = ExplorerDirectory.atlasFile(dir);
        if (!Files.isRegularFile(atlasFile)) {
            throw new NanolensException(dir + " is not an explorer directory (no data/atlas.js); write one with "
                    + "./nanolens dashboard --out DIR and pass --dashboard DIR");
        }
        this.atlas = ExplorerDirectory.readData(atlasFile);
    }

    /** The atlas index (header and feature columns). */
    JsonNode atlas() {
        return atlas;
    }

    /** The card of feature {@code index}, or null when the explorer has none for it. */
    synchronized JsonNode feature(int index) {
        Path file = dir.resolve(StaticExplorer.shardFile(index));
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode shard = shards.computeIfAbsent(file.toString(), k -> ExplorerDirectory.readData(file));
        for (JsonNode card : shard.path("features")) {
            if (card.path("index").asInt(-1) == index) {
                return card;
            }
        }
        return null;
    }
}
