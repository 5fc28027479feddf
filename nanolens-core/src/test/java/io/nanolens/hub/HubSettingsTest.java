package io.nanolens.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment read as huggingface_hub's constants.py reads it, from a map, never the process environment. */
class HubSettingsTest {
    @TempDir
    Path home;

    @Test
    void defaultsAreTheUsersDotCacheAndHuggingfaceCo() {
        HubSettings s = HubSettings.of(Map.of(), home);
        assertEquals(home.resolve(".cache/huggingface/hub"), s.cache());
        assertEquals(URI.create("https://huggingface.co"), s.endpoint());
        assertFalse(s.offline());
        assertNull(s.token());
    }

    @Test
    void hfHomeMovesTheCacheToItsHubFolder() {
        assertEquals(Path.of("/data/hf/hub"), HubSettings.of(Map.of("HF_HOME", "/data/hf"), home).cache());
    }

    @Test
    void hfHubCacheWinsOverTheLegacyNameWhichWinsOverHfHome() {
        Map<String, String> all = Map.of("HF_HOME", "/a", "HUGGINGFACE_HUB_CACHE", "/b", "HF_HUB_CACHE", "/c");
        assertEquals(Path.of("/c"), HubSettings.of(all, home).cache());
        assertEquals(Path.of("/b"), HubSettings.of(Map.of("HF_HOME", "/a", "HUGGINGFACE_HUB_CACHE", "/b"), home)
                .cache());
    }

    @Test
    void xdgCacheHomeHoldsHuggingfaceWhenHfHomeIsUnset() {
        assertEquals(Path.of("/x/huggingface/hub"), HubSettings.of(Map.of("XDG_CACHE_HOME", "/x"), home).cache());
        assertEquals(Path.of("/h/hub"), HubSettings.of(Map.of("XDG_CACHE_HOME", "/x", "HF_HOME", "/h"), home)
                .cache());
    }

    @Test
    void leadingTildeIsTheHomeDirectory() {
        assertEquals(home.resolve("models/hub"), HubSettings.of(Map.of("HF_HOME", "~/models"), home).cache());
    }

    @Test
    void offlineTakesPythonsTrueWordsInAnyCase() {
        for (String yes : new String[] {"1", "on", "YES", "True"}) {
            assertTrue(HubSettings.of(Map.of("HF_HUB_OFFLINE", yes), home).offline(), yes);
        }
        for (String no : new String[] {"0", "false", "no", ""}) {
            assertFalse(HubSettings.of(Map.of("HF_HUB_OFFLINE", no), home).offline(), no);
        }
        assertTrue(HubSettings.of(Map.of("TRANSFORMERS_OFFLINE", "1"), home).offline());
        assertFalse(HubSettings.of(Map.of("HF_HUB_OFFLINE", "0", "TRANSFORMERS_OFFLINE", "1"), home).offline(),
                "HF_HUB_OFFLINE, when set, decides alone");
        assertTrue(HubSettings.of(Map.of(), home).withOffline(true).offline());
        assertTrue(HubSettings.of(Map.of("HF_HUB_OFFLINE", "1"), home).withOffline(false).offline(),
                "a flag can switch offline mode on, not off");
    }

    @Test
    void endpointLosesItsTrailingSlashAndMustBeHttp() {
        assertEquals(URI.create("http://127.0.0.1:8080"),
                HubSettings.of(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080/"), home).endpoint());
        NanolensException e = assertThrows(NanolensException.class,
                () -> HubSettings.of(Map.of("HF_ENDPOINT", "ftp://mirror"), home));
        assertTrue(e.getMessage().contains("HF_ENDPOINT"), e.getMessage());
    }

    @Test
    void tokenComesFromTheEnvironmentElseTheFileHfLoginWrites() throws IOException {
        Path hfHome = Files.createDirectories(home.resolve("hf"));
        Files.writeString(hfHome.resolve("token"), "hf_from_file\n");
        assertEquals("hf_from_file", HubSettings.of(Map.of("HF_HOME", hfHome.toString()), home).token());
        assertEquals("hf_env", HubSettings.of(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env"), home)
                .token());
        assertEquals("hf_old", HubSettings.of(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_old"), home).token());
        Path elsewhere = home.resolve("secret");
        Files.writeString(elsewhere, "hf_path");
        assertEquals("hf_path", HubSettings.of(Map.of("HF_TOKEN_PATH", elsewhere.toString()), home).token());
    }

    @Test
    void printedSettingsNeverShowTheToken() {
        String shown = HubSettings.of(Map.of("HF_TOKEN", "hf_very_secret"), home).toString();
        assertFalse(shown.contains("hf_very_secret"), shown);
        assertTrue(shown.contains("token=set"), shown);
    }
}
