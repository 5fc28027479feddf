package io.nanolens.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.hub.HubSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PullCommandTest {
    @TempDir
    Path dir;
    LocalHub hub;
    byte[] weights = new byte[40_000];

    @BeforeEach
    void serve() throws IOException {
        new Random(3).nextBytes(weights);
        Path repo = Files.createDirectories(dir.resolve("repo/sae"));
        Files.writeString(dir.resolve("repo/config.json"), "{}");
        Files.write(dir.resolve("repo/model.safetensors"), weights);
        Files.writeString(dir.resolve("repo/README.md"), "# not fetched");
        Files.writeString(repo.resolve("cfg.json"), "{\"d_in\": 4}");
        Files.write(repo.resolve("sae_weights.safetensors"), weights);
        hub = new LocalHub().serve("acme/things", "", dir.resolve("repo"));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubSettings settings(boolean offline) {
        return new HubSettings(dir.resolve("cache"), hub.endpoint(), null, offline);
    }

    @Test
    void pullPrintsTheSnapshotDirectoryAndWhatItFetched() throws IOException {
        CliRun run = CliRun.of(settings(false), "pull", "hf:acme/things");
        assertEquals(0, run.code(), run.err());
        Path snapshot = dir.resolve("cache/models--acme--things/snapshots/" + LocalHub.COMMIT);
        assertEquals(snapshot.toString(), run.out().strip());
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertTrue(run.err().contains("hf:acme/things: model, 2 files at commit c0ffee000000, fetched 2"),
                run.err());
        CliRun sae = CliRun.of(settings(false), "pull", "hf:acme/things/sae");
        assertEquals(0, sae.code(), sae.err());
        assertEquals(snapshot.resolve("sae").toString(), sae.out().strip());
        assertTrue(sae.err().contains("sae, 2 files"), sae.err());
    }

    @Test
    void pullOfflineChecksTheCacheWithoutTheNetwork() {
        assertEquals(0, CliRun.of(settings(false), "pull", "hf:acme/things").code());
        int before = hub.requests().size();
        CliRun run = CliRun.of(settings(false), "pull", "hf:acme/things", "--offline");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("all in the cache"), run.err());
        assertEquals(before, hub.requests().size());
        CliRun missing = CliRun.of(settings(true), "pull", "hf:acme/other");
        assertEquals(2, missing.code());
        assertTrue(missing.errorLine().startsWith("nanolens: offline"), missing.err());
    }

    @Test
    void badSpecIsAUsageError() {
        CliRun run = CliRun.of(settings(false), "pull", "acme/things");
        assertEquals(2, run.code());
        assertTrue(run.errorLine().contains("does not start with hf:"), run.err());
    }
}
