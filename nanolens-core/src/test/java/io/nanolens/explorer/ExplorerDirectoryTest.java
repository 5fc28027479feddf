package io.nanolens.explorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplorerDirectoryTest {

    @Test
    void readingBackAnExplorerGivesTheSameAtlas(@TempDir Path dir) {
        FeatureAtlas atlas = Atlases.random(300, 1000, 3, 9, 4);
        StaticExplorer.write(atlas, dir.resolve("x"));
        FeatureAtlas back = ExplorerDirectory.read(dir.resolve("x"));
        assertEquals(atlas.modelName(), back.modelName());
        assertEquals(atlas.hookName(), back.hookName());
        assertEquals(atlas.dSae(), back.dSae());
        assertEquals(atlas.tokensAnalysed(), back.tokensAnalysed());
        assertEquals(atlas.conceptNames(), back.conceptNames());
        assertEquals(atlas.features().size(), back.features().size());
        for (int i = 0; i < atlas.features().size(); i++) {
            // records with arrays compare by reference; their JSON compares by value
            assertEquals(Json.toTree(atlas.features().get(i)), Json.toTree(back.features().get(i)), "card " + i);
        }
    }

    @Test
    void aDirectoryThatIsNoExplorerOrADamagedShardIsRefused(@TempDir Path dir) throws Exception {
        assertThrows(NanolensException.class, () -> ExplorerDirectory.read(dir));
        StaticExplorer.write(Atlases.random(10, 64, 1, 4, 1), dir.resolve("x"));
        Path shard = dir.resolve("x").resolve(StaticExplorer.shardFile(0));
        Files.writeString(shard, "window.nanolensData(\"features/0\", {\"features\": [");
        NanolensException e = assertThrows(NanolensException.class, () -> ExplorerDirectory.read(dir.resolve("x")));
        assertTrue(e.getMessage().contains(shard.getFileName().toString()), e.getMessage());
    }
}
