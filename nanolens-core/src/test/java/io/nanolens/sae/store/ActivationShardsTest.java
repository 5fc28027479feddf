package io.nanolens.sae.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.io.Dtype;
import io.nanolens.model.HookPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.nanolens.sae.store.StoreFixtures.CONFIG;
import static io.nanolens.sae.store.StoreFixtures.multiset;
import static io.nanolens.sae.store.StoreFixtures.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationShardsTest {
    private static final HookPoint HOOK = HookPoint.parse("blocks.1.hook_resid_post", CONFIG);
    private static final int ROWS = 1000;
    private static final int SHARD_ROWS = 150;
    private static final ActivationManifest.Origin ORIGIN =
            new ActivationManifest.Origin("m", "blocks.0.hook_resid_pre", 8, true, "c");

    @TempDir
    Path dir;

    /** Harvests {@link #ROWS} rows into {@code dir} as {@code dtype}; returns the rows the writer was given. */
    private List<float[]> collect(Dtype dtype, boolean keepBos) {
        HarvestConfig config = new HarvestConfig(HOOK, 16, 4, keepBos, ROWS);
        ActivationHarvester harvester = new ActivationHarvester(StoreFixtures.model(3), StoreFixtures.BYTES,
                StoreFixtures.stories(8), config);
        try (StoreFixtures.Recording rows = new StoreFixtures.Recording(harvester)) {
            ActivationShards.write(rows, harvester.origin("tiny-model"), dir, dtype, SHARD_ROWS);
            return rows.seen;
        }
    }

    @Test
    void float32ShardsRoundTripExactly() {
        List<float[]> written = collect(Dtype.F32, false);
        List<float[]> read = readAll(ActivationShards.openInOrder(dir), 64);
        assertEquals(ROWS, read.size());
        for (int r = 0; r < ROWS; r++) {
            assertArrayEquals(written.get(r), read.get(r), "row " + r);
        }
    }

    @Test
    void bfloat16ShardsRoundTripWithinBfloat16Rounding() {
        List<float[]> written = collect(Dtype.BF16, false);
        List<float[]> read = readAll(ActivationShards.openInOrder(dir), 64);
        assertEquals(ROWS, read.size());
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < CONFIG.nEmbd(); i++) {
                float x = written.get(r)[i];
                float y = read.get(r)[i];
                assertEquals(0, Float.floatToRawIntBits(y) & 0xFFFF, "a bfloat16 keeps 16 bits");
                // 8 significant bits: the nearest bfloat16 is within half a unit, 2^-8 of the value.
                assertTrue(Math.abs(y - x) <= Math.abs(x) * 0x1p-8f, x + " read back as " + y);
            }
        }
    }

    @Test
    void manifestDescribesTheCollection() {
        List<float[]> written = collect(Dtype.BF16, true);
        ActivationManifest m = ActivationManifest.read(dir);
        assertEquals("tiny-model", m.modelName());
        assertEquals("blocks.1.hook_resid_post", m.hookName());
        assertEquals(32, m.dIn());
        assertEquals("bfloat16", m.dtype());
        assertEquals(16, m.contextSize());
        assertFalse(m.excludeSpecialTokens());
        assertEquals(StoreFixtures.stories(8).source(), m.corpus());
        assertEquals(ROWS, m.tokens());
        assertEquals(List.of(150L, 150L, 150L, 150L, 150L, 150L, 100L),
                m.shards().stream().map(ActivationManifest.Shard::rows).toList());
        assertEquals(ActivationShards.shardName(6), m.shards().get(6).file());
        ActivationScaler reference = new ActivationScaler(32);
        written.forEach(row -> reference.add(row, 0, 1));
        assertEquals(reference.scalingFactor(), m.normScalingFactor(), 1e-12);
    }

    @Test
    void shardFilesAreReadableByAnIndependentReader() throws IOException {
        List<float[]> written = collect(Dtype.F32, false);
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(dir.resolve("manifest.json").toFile());
        int row = 0;
        for (JsonNode shard : manifest.get("shards")) {
            byte[] bytes = Files.readAllBytes(dir.resolve(shard.get("file").asText()));
            long headerLength = 0;
            for (int i = 7; i >= 0; i--) {
                headerLength = (headerLength << 8) | (bytes[i] & 0xFF);
            }
            JsonNode header = json.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
            JsonNode tensor = header.get("blocks.1.hook_resid_post");
            assertEquals("F32", tensor.get("dtype").asText());
            long rows = shard.get("rows").asLong();
            assertEquals(List.of(rows, 32L), List.of(tensor.get("shape").get(0).asLong(),
                    tensor.get("shape").get(1).asLong()));
            long begin = 8 + headerLength + tensor.get("data_offsets").get(0).asLong();
            assertEquals(begin + rows * 32 * 4, 8 + headerLength + tensor.get("data_offsets").get(1).asLong());
            for (int r = 0; r < rows; r++, row++) {
                for (int i = 0; i < 32; i++) {
                    int at = (int) (begin + 4L * (r * 32 + i));
                    int bits = (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16
                            | (bytes[at + 3] & 0xFF) << 24;
                    assertEquals(written.get(row)[i], Float.intBitsToFloat(bits));
                }
            }
        }
        assertEquals(ROWS, row);
    }

    @Test
    void shuffledReadGivesEveryRowOnceInASeededOrder() {
        List<float[]> written = collect(Dtype.F32, false);
        List<float[]> a = readAll(ActivationShards.open(dir, 128, 5), 50);
        List<float[]> b = readAll(ActivationShards.open(dir, 128, 5), 77);
        List<float[]> c = readAll(ActivationShards.open(dir, 128, 6), 50);
        assertEquals(multiset(written), multiset(a));
        assertEquals(multiset(written), multiset(c));
        for (int r = 0; r < ROWS; r++) {
            assertArrayEquals(a.get(r), b.get(r), "row " + r);
        }
        assertNotEquals(multiset(a.subList(0, 100)), multiset(c.subList(0, 100)));
        assertNotEquals(multiset(written.subList(0, 100)), multiset(a.subList(0, 100)));
    }

    @Test
    void shuffledReadStartsInASeededShardAndMixesWithinItsWindow() {
        ActivationShards.write(StoreFixtures.rows(StoreFixtures.numberedRows(ROWS, 4, 1), 4), ORIGIN, dir,
                Dtype.F32, SHARD_ROWS);
        Set<Integer> startShards = new HashSet<>();
        for (long seed = 1; seed <= 8; seed++) {
            // A window of 8 rows, smaller than a shard: the first rows served all come from the first shard read.
            List<float[]> first = readAll(ActivationShards.open(dir, 8, seed), 1).subList(0, 4);
            Set<Integer> shards = new HashSet<>();
            for (float[] row : first) {
                shards.add((int) row[0] / SHARD_ROWS);
            }
            assertEquals(1, shards.size(), "seed " + seed + " mixed rows beyond its window");
            startShards.addAll(shards);
        }
        assertTrue(startShards.size() > 1, "the shard order depends on the seed: " + startShards);
    }

    @Test
    void rewritingADirectoryRemovesStaleShards() {
        StoreFixtures.Recording big = new StoreFixtures.Recording(
                StoreFixtures.rows(StoreFixtures.numberedRows(50, 4, 1), 4));
        ActivationShards.write(big, ORIGIN, dir, Dtype.F32, 10);
        assertTrue(Files.exists(dir.resolve(ActivationShards.shardName(4))));
        ActivationShards.write(StoreFixtures.rows(StoreFixtures.numberedRows(15, 4, 2), 4), ORIGIN, dir, Dtype.F32, 10);
        assertTrue(Files.exists(dir.resolve(ActivationShards.shardName(1))));
        assertFalse(Files.exists(dir.resolve(ActivationShards.shardName(2))));
        assertEquals(15, readAll(ActivationShards.openInOrder(dir), 4).size());
    }

    @Test
    void anEmptyStreamIsNotWritten() {
        StoreFixtures.assertOneLineError("less than one context of 8 tokens",
                () -> ActivationShards.write(StoreFixtures.rows(List.of(), 4), ORIGIN, dir, Dtype.F32, 10));
        assertFalse(Files.exists(dir.resolve(ActivationManifest.FILE_NAME)));
    }

    @Test
    void onlyFloat32AndBfloat16AreStored() {
        StoreFixtures.assertOneLineError("float32 or bfloat16", () -> ActivationShards.write(
                StoreFixtures.rows(StoreFixtures.numberedRows(5, 4, 1), 4), ORIGIN, dir, Dtype.F16, 10));
    }
}
