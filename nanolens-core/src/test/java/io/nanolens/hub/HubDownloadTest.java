package io.nanolens.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a {@link FakeHub} on 127.0.0.1 into a temporary cache, and what the cache looks like after. */
class HubDownloadTest {
    static final String REPO = "acme/tiny-gpt";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String NEXT = "89abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    Path home;
    FakeHub server;
    byte[] weights;

    @BeforeEach
    void start() throws IOException {
        weights = new byte[300_000];
        new Random(7).nextBytes(weights);
        server = new FakeHub(REPO, COMMIT)
                .file("config.json", "{\"n_layer\": 2}")
                .file("vocab.json", "{\"a\": 0}")
                .file("README.md", "# tiny")
                .file("model.safetensors", weights, true);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HubSettings settings(boolean offline, String token) {
        return new HubSettings(home.resolve("hub"), server.endpoint(), token, offline);
    }

    Hub hub() {
        return new Hub(settings(false, null));
    }

    @Test
    void modelLandsInHuggingfaceHubLayoutWithRelativeLinksIntoBlobs() throws IOException {
        Hub.Snapshot s = hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        Path repoDir = home.resolve("hub/models--acme--tiny-gpt");
        assertEquals(repoDir.resolve("snapshots").resolve(COMMIT), s.directory());
        assertEquals(COMMIT, Files.readString(repoDir.resolve("refs/main")));
        assertEquals(List.of("config.json", "vocab.json", "model.safetensors"), s.selection().files());
        for (String file : s.selection().files()) {
            Path pointer = s.directory().resolve(file);
            assertTrue(Files.isSymbolicLink(pointer), file);
            byte[] bytes = server.files().get(file);
            String etag = file.equals("model.safetensors") ? FakeHub.sha256(bytes) : FakeHub.gitSha1(bytes);
            assertEquals(Path.of("../../blobs/" + etag), Files.readSymbolicLink(pointer), file);
            assertArrayEquals(bytes, Files.readAllBytes(pointer), file);
        }
        assertFalse(Files.exists(s.directory().resolve("README.md")), "only what a model needs is fetched");
        try (var blobs = Files.list(repoDir.resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
    }

    @Test
    void saeInAFolderLinksUpThroughEveryLevel() throws IOException {
        server.file("blocks.8.hook_resid_pre/cfg.json", "{\"d_in\": 8}")
                .file("blocks.8.hook_resid_pre/sae_weights.safetensors", weights, true);
        Hub.Snapshot s = hub().resolve(HubSpec.parse("hf:" + REPO + "/blocks.8.hook_resid_pre"), RepoFiles.Kind.SAE);
        assertEquals(RepoFiles.Kind.SAE, s.selection().kind());
        Path weightsLink = s.directory().resolve("sae_weights.safetensors");
        assertEquals(Path.of("../../../blobs/" + FakeHub.sha256(weights)), Files.readSymbolicLink(weightsLink));
        assertArrayEquals(weights, Files.readAllBytes(weightsLink));
        assertEquals(1, server.log("cdn").size(), "one blob for the folder's weights and the model's: same bytes");
        hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        assertEquals(1, server.log("cdn").size(), "a blob already in the cache is linked, not fetched again");
    }

    @Test
    void droppedConnectionIsResumedWithARangeRequestAndEndsWithTheRightBytes() throws IOException {
        server.dropConnections(2, 100_000);
        List<String> events = new ArrayList<>();
        Hub hub = new Hub(settings(false, null), new DownloadListener() {
            @Override
            public void retrying(String file, long bytes, String reason) {
                events.add(file + "@" + bytes);
            }
        });
        Hub.Snapshot s = hub.resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        assertArrayEquals(weights, Files.readAllBytes(s.directory().resolve("model.safetensors")));
        List<FakeHub.Request> gets = server.log("cdn");
        assertEquals(3, gets.size(), gets.toString());
        assertNull(gets.get(0).range());
        assertEquals("bytes=100000-", gets.get(1).range());
        assertEquals("bytes=200000-", gets.get(2).range());
        assertEquals(List.of("model.safetensors@100000", "model.safetensors@200000"), events);
    }

    @Test
    void silentConnectionIsAbandonedAndResumed() throws IOException {
        server.stallConnection(100_000, 20_000);
        List<String> reasons = new ArrayList<>();
        Hub hub = new Hub(settings(false, null), new DownloadListener() {
            @Override
            public void retrying(String file, long bytes, String reason) {
                reasons.add(bytes + " " + reason);
            }
        }, Duration.ofMillis(300));
        long started = System.nanoTime();
        Hub.Snapshot s = hub.resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        assertTrue(System.nanoTime() - started < 10_000_000_000L, "did not wait for the silent server");
        assertArrayEquals(weights, Files.readAllBytes(s.directory().resolve("model.safetensors")));
        assertEquals("bytes=100000-", server.log("cdn").get(1).range());
        assertEquals(1, reasons.size());
        assertTrue(reasons.get(0).startsWith("100000 IOException: no data for"), reasons.toString());
    }

    @Test
    void partialFileLeftByAnEarlierRunIsResumedFromItsLength() throws IOException {
        String sha = FakeHub.sha256(weights);
        Path incomplete = home.resolve("hub/models--acme--tiny-gpt/blobs/" + sha + ".incomplete");
        Files.createDirectories(incomplete.getParent());
        Files.write(incomplete, java.util.Arrays.copyOf(weights, 123_456));
        Hub.Snapshot s = hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        assertArrayEquals(weights, Files.readAllBytes(s.directory().resolve("model.safetensors")));
        assertEquals(List.of("bytes=123456-"), server.log("cdn").stream().map(FakeHub.Request::range).toList());
        assertFalse(Files.exists(incomplete));
    }

    @Test
    void sha256MismatchIsRefusedAndNothingEntersTheCache() {
        server.corrupt();
        NanolensException e = assertThrows(NanolensException.class,
                () -> hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL));
        assertTrue(e.getMessage().contains("sha256") && e.getMessage().contains("model.safetensors"), e.getMessage());
        Path blobs = home.resolve("hub/models--acme--tiny-gpt/blobs");
        String sha = FakeHub.sha256(weights);
        assertFalse(Files.exists(blobs.resolve(sha)));
        assertFalse(Files.exists(blobs.resolve(sha + ".incomplete")));
        assertFalse(Files.exists(home.resolve("hub/models--acme--tiny-gpt/snapshots/" + COMMIT
                + "/model.safetensors")));
    }

    @Test
    void cachedSnapshotIsReusedWithTheServerStopped() throws IOException {
        Path first = hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL).directory();
        server.close();
        Hub.Snapshot again = hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        assertEquals(first, again.directory());
        assertArrayEquals(weights, Files.readAllBytes(again.directory().resolve("model.safetensors")));
    }

    @Test
    void offlineWithoutTheRepositoryInTheCacheSaysWhatIsMissing() {
        Hub hub = new Hub(settings(true, null));
        NanolensException e = assertThrows(NanolensException.class,
                () -> hub.resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL));
        assertTrue(e.getMessage().startsWith("offline") && e.getMessage().contains("hf:" + REPO)
                && e.getMessage().contains("./nanolens pull hf:" + REPO), e.getMessage());
        assertEquals(List.of(), server.log(), "offline means no request at all");
    }

    @Test
    void offlineWithAnIncompleteSnapshotNamesTheMissingFile() throws IOException {
        PythonCache.write(home.resolve("hub"), REPO, COMMIT, Map.of("config.json", "{}".getBytes()));
        Hub hub = new Hub(settings(true, null));
        NanolensException e = assertThrows(NanolensException.class,
                () -> hub.resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("found config.json"),
                e.getMessage());
        assertEquals(List.of(), server.log());
    }

    @Test
    void pullFollowsAMovedBranchAndReusesUnchangedBlobs() throws IOException {
        HubSpec spec = HubSpec.parse("hf:" + REPO);
        hub().resolve(spec, RepoFiles.Kind.MODEL);
        server.commit(NEXT);
        server.file("config.json", "{\"n_layer\": 3}");
        assertEquals(COMMIT, hub().resolve(spec, RepoFiles.Kind.MODEL).commit(), "resolve trusts a complete cache");
        Hub.Snapshot pulled = hub().pull(spec, RepoFiles.Kind.MODEL);
        assertEquals(NEXT, pulled.commit());
        assertEquals(NEXT, Files.readString(home.resolve("hub/models--acme--tiny-gpt/refs/main")));
        assertEquals("{\"n_layer\": 3}", Files.readString(pulled.directory().resolve("config.json")));
        assertEquals(1, server.log("cdn").size(), "the weights did not change, so their blob is reused");
    }

    @Test
    void tokenGoesToTheHubButNeverToTheCdn() throws IOException {
        server.requireToken("hf_secret");
        new Hub(settings(false, "hf_secret")).resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        assertTrue(server.log("hub").stream().allMatch(r -> "Bearer hf_secret".equals(r.authorization())));
        assertFalse(server.log("cdn").isEmpty());
        assertTrue(server.log("cdn").stream().allMatch(r -> r.authorization() == null));
    }

    @Test
    void privateRepositoryWithoutATokenSaysToSetHfToken() {
        server.requireToken("hf_secret");
        NanolensException e = assertThrows(NanolensException.class,
                () -> hub().resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL));
        assertTrue(e.getMessage().contains("no repository acme/tiny-gpt") && e.getMessage().contains("HF_TOKEN"),
                e.getMessage());
    }

    @Test
    void unknownRevisionIsNamed() {
        NanolensException e = assertThrows(NanolensException.class,
                () -> hub().resolve(HubSpec.parse("hf:" + REPO + "@v9"), RepoFiles.Kind.MODEL));
        assertTrue(e.getMessage().contains("has no revision 'v9'"), e.getMessage());
    }

    @Test
    void renamedRepositoryIsFollowedThroughRelativeRedirects() throws IOException {
        server.renamedFrom("acme/old-name");
        Hub.Snapshot s = hub().resolve(HubSpec.parse("hf:acme/old-name"), RepoFiles.Kind.MODEL);
        assertArrayEquals(weights, Files.readAllBytes(s.directory().resolve("model.safetensors")));
        assertTrue(s.directory().startsWith(home.resolve("hub/models--acme--old-name")));
    }

    @Test
    void unreachableHubSaysSoAndPointsAtOfflineMode() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        Hub hub = new Hub(new HubSettings(home.resolve("hub"), URI.create("http://127.0.0.1:" + port), null, false));
        NanolensException e = assertThrows(NanolensException.class,
                () -> hub.resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL));
        assertTrue(e.getMessage().startsWith("cannot reach http://127.0.0.1:" + port)
                && e.getMessage().contains("--offline"), e.getMessage());
    }

    @Test
    void hfHomeFromTheEnvironmentDecidesWhereFilesGo() throws IOException {
        Path hfHome = home.resolve("elsewhere");
        HubSettings s = HubSettings.of(Map.of("HF_HOME", hfHome.toString(),
                "HF_ENDPOINT", server.endpoint().toString()), home);
        Hub.Snapshot snap = new Hub(s).resolve(HubSpec.parse("hf:" + REPO), RepoFiles.Kind.MODEL);
        assertTrue(snap.directory().startsWith(hfHome.resolve("hub/models--acme--tiny-gpt/snapshots")));
        assertTrue(Files.isRegularFile(snap.directory().resolve("model.safetensors")));
    }
}
