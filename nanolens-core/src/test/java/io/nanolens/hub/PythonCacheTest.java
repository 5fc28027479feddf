package io.nanolens.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache a Python user left behind ({@link PythonCache}) is read as it is, with a live {@link FakeHub} beside it
 * that must see no request at all; and what nanolens downloads looks, file for file, like what Python leaves.
 */
class PythonCacheTest {
    static final String REPO = "jbloom/gpt2-small-saes";
    static final String COMMIT = "fedcba9876543210fedcba9876543210fedcba98";

    @TempDir
    Path home;
    FakeHub server;
    Map<String, byte[]> files = new LinkedHashMap<>();

    @BeforeEach
    void start() throws IOException {
        byte[] weights = new byte[50_000];
        new Random(11).nextBytes(weights);
        files.put("config.json", "{\"model_type\": \"gpt2\"}".getBytes(StandardCharsets.UTF_8));
        files.put("merges.txt", "#version: 0.2\n".getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors", weights);
        files.put("blocks.8.hook_resid_pre/cfg.json", "{\"d_in\": 768}".getBytes(StandardCharsets.UTF_8));
        files.put("blocks.8.hook_resid_pre/sae_weights.safetensors", weights);
        server = new FakeHub(REPO, "1111111111111111111111111111111111111111");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Hub hub() {
        return new Hub(new HubSettings(home.resolve("hub"), server.endpoint(), null, false));
    }

    @Test
    void modelAndSaeFromAHandBuiltPythonCacheNeedNoNetwork() throws IOException {
        Path snapshot = PythonCache.write(home.resolve("hub"), REPO, COMMIT, files);
        Hub.Snapshot model = hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        assertEquals(snapshot, model.directory());
        assertEquals(List.of("config.json", "merges.txt", "model.safetensors"), model.selection().files());
        Hub.Snapshot sae = hub().resolve(HubSpec.parse("hf:" + REPO + "/blocks.8.hook_resid_pre"),
                RepoFiles.Kind.SAE);
        assertEquals(snapshot.resolve("blocks.8.hook_resid_pre"), sae.directory());
        assertArrayEquals(files.get("model.safetensors"),
                Files.readAllBytes(sae.directory().resolve("sae_weights.safetensors")));
        assertEquals(List.of(), server.log(), "everything came from the cache");
    }

    @Test
    void aCommitHashNeedsNoRefAndNoNetwork() throws IOException {
        PythonCache.write(home.resolve("hub"), REPO, COMMIT, files);
        Files.delete(home.resolve("hub/models--jbloom--gpt2-small-saes/refs/main"));
        Hub.Snapshot s = hub().resolve(HubSpec.parse("hf:" + REPO + "@" + COMMIT), RepoFiles.Kind.MODEL);
        assertEquals(COMMIT, s.commit());
        assertEquals(List.of(), server.log());
        NanolensException e = assertThrows(NanolensException.class, () -> new Hub(new HubSettings(home.resolve("hub"),
                server.endpoint(), null, true)).resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL));
        assertTrue(e.getMessage().contains("not in the cache"), "without refs/main, main is unknown offline");
    }

    @Test
    void nanolensDownloadLeavesWhatPythonLeaves() throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            server.file(f.getKey(), f.getValue(), f.getValue().length >= PythonCache.LFS_THRESHOLD);
        }
        server.commit(COMMIT);
        hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        hub().resolve(HubSpec.parse("hf:" + REPO + "/blocks.8.hook_resid_pre"), RepoFiles.Kind.SAE);
        Path python = home.resolve("python");
        PythonCache.write(python, REPO, COMMIT, files);
        assertEquals(tree(python), tree(home.resolve("hub")));
    }

    /** Every path under a cache with, for links, where they point and, for files, their size. */
    private static List<String> tree(Path cache) throws IOException {
        try (var walk = Files.walk(cache)) {
            return walk.filter(p -> !p.startsWith(cache.resolve(".locks")) && !p.equals(cache)).map(p -> {
                try {
                    String rel = cache.relativize(p).toString();
                    if (Files.isSymbolicLink(p)) {
                        return rel + " -> " + Files.readSymbolicLink(p);
                    }
                    return Files.isDirectory(p) ? rel + "/" : rel + " " + Files.size(p);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).filter(line -> !line.contains(".no_exist")).sorted().toList();
        }
    }
}
