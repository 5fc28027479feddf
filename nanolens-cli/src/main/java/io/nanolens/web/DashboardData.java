package io.nanolens.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.explorer.StaticExplorer;
import io.nanolens.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The feature data of an explorer directory written by {@code ./nanolens dashboard}, served by the live server as
 * JSON: the atlas index and one card at a time, read from the same {@code data/*.js} files the static pages load
 * (each is {@code window.nanolensData("key", JSON);}), so both views show exactly the same numbers. A few recently
 * read shards are kept parsed.
 */
public final class DashboardData {
    private static final String PREFIX = "window.nanolensData(";
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
        Path atlasFile = dir.resolve("data").resolve("atlas.js");
        if (!Files.isRegularFile(atlasFile)) {
            throw new NanolensException(dir + " is not an explorer directory (no data/atlas.js); write one with "
                    + "./nanolens dashboard --out DIR and pass --dashboard DIR");
        }
        this.atlas = read(atlasFile);
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
        JsonNode shard = shards.computeIfAbsent(file.toString(), k -> read(file));
        for (JsonNode card : shard.path("features")) {
            if (card.path("index").asInt(-1) == index) {
                return card;
            }
        }
        return null;
    }

    private static JsonNode read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new NanolensException("cannot read " + file + ": " + e.getMessage());
        }
        int comma = text.indexOf(',');
        if (!text.startsWith(PREFIX) || comma < 0 || !text.endsWith(");")) {
            throw new NanolensException(file + " is not an explorer data file; write the explorer again");
        }
        return Json.readTree(text.substring(comma + 1, text.length() - 2), file.toString());
    }
}
