package io.nanolens.sae.store;

import io.nanolens.io.Dtype;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.nanolens.sae.store.StoreFixtures.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Damaged activation directories: every fault becomes one clear line naming the file. */
class ActivationManifestTest {
    private static final ActivationManifest.Origin ORIGIN =
            new ActivationManifest.Origin("m", "blocks.0.hook_resid_pre", 8, true, "tinyworld:1:2");

    @TempDir
    Path dir;
    private Path manifest;
    private String json;

    @BeforeEach
    void collect() throws IOException {
        ActivationShards.write(StoreFixtures.rows(StoreFixtures.numberedRows(25, 4, 1), 4), ORIGIN, dir, Dtype.F32, 10);
        manifest = dir.resolve(ActivationManifest.FILE_NAME);
        json = Files.readString(manifest);
    }

    private void edit(String from, String to) throws IOException {
        String edited = json.replace(from, to);
        assertEquals(false, edited.equals(json), "the edit " + from + " → " + to + " must change the manifest");
        Files.writeString(manifest, edited);
    }

    private void assertDamaged(String expectedPart) {
        assertOneLineError(expectedPart, () -> ActivationShards.openInOrder(dir));
        assertOneLineError(expectedPart, () -> ActivationShards.open(dir, 16, 1));
    }

    @Test
    void aManifestRoundTripsThroughJson() {
        ActivationManifest read = ActivationManifest.read(dir);
        ActivationManifest.Origin back = new ActivationManifest.Origin(read.modelName(), read.hookName(),
                read.contextSize(), read.excludeSpecialTokens(), read.corpus());
        assertEquals(ORIGIN, back);
        assertEquals(25, read.tokens());
        assertEquals(Dtype.F32, read.storedDtype());
        read.write(dir);
        assertEquals(read, ActivationManifest.read(dir));
    }

    @Test
    void missingManifestSaysToCollect() throws IOException {
        Files.delete(manifest);
        assertDamaged("no activation manifest " + manifest);
    }

    @Test
    void truncatedManifestIsNamed() throws IOException {
        Files.writeString(manifest, json.substring(0, json.length() / 2));
        assertDamaged(manifest.toString());
    }

    @Test
    void manifestWithoutAFieldIsNamed() throws IOException {
        edit("\"d_in\" : 4,", "");
        assertDamaged("lacks the field 'd_in'");
    }

    @Test
    void unknownFormatVersionIsNamed() throws IOException {
        edit("\"format_version\" : 1", "\"format_version\" : 7");
        assertDamaged("format_version is 7");
    }

    @Test
    void rowCountsThatDoNotAddUpAreNamed() throws IOException {
        edit("\"tokens\" : 25", "\"tokens\" : 26");
        assertDamaged("hold 25 rows in all but tokens is 26");
    }

    @Test
    void shardPathsCannotLeaveTheDirectory() throws IOException {
        edit("\"shard_00000.safetensors\"", "\"../shard_00000.safetensors\"");
        assertDamaged("plain file name");
    }

    @Test
    void unknownDtypeIsNamed() throws IOException {
        edit("\"float32\"", "\"float16\"");
        assertDamaged("dtype 'float16'");
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path shard = dir.resolve(ActivationShards.shardName(1));
        Files.delete(shard);
        assertDamaged(shard.toString());
    }

    @Test
    void truncatedShardIsNamed() throws IOException {
        Path shard = dir.resolve(ActivationShards.shardName(2));
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(bytes, bytes.length - 7));
        assertDamaged(shard.toString());
    }

    @Test
    void shardWhoseShapeDiffersFromTheManifestIsNamed() throws IOException {
        edit("\"rows\" : 5", "\"rows\" : 4");
        Files.writeString(manifest, Files.readString(manifest).replace("\"tokens\" : 25", "\"tokens\" : 24"));
        assertDamaged("but the manifest says F32 [4, 4]");
    }

    @Test
    void shardStoredInAnotherDtypeIsNamed() throws IOException {
        edit("\"float32\"", "\"bfloat16\"");
        assertDamaged("holds F32 [10, 4] but the manifest says BF16 [10, 4]");
    }

    @Test
    void shardWithoutTheHookTensorIsNamed() throws IOException {
        edit("\"hook_name\" : \"blocks.0.hook_resid_pre\"", "\"hook_name\" : \"blocks.0.hook_resid_mid\"");
        assertDamaged("has no tensor 'blocks.0.hook_resid_mid'");
    }
}
