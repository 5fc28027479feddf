package io.nanolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.hub.HubSettings;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --model} and {@code --sae} of the existing commands take {@code hf:} specs: a tiny model and an SAE trained
 * here are served by a {@link LocalHub} on 127.0.0.1, and the commands run on them as on the local directories.
 */
class HubOptionsTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path sae;
    static LocalHub hub;

    @TempDir
    Path cache;

    @BeforeAll
    static void modelSaeAndHub() throws IOException {
        model = dir.resolve("model");
        CliRun run = TrainModelCommandTest.train(model, "--steps", "3");
        assertEquals(0, run.code(), run.err());
        sae = dir.resolve("sae");
        SaeLensFormat.write(sae, new SaeDirectory(Sae.create(SaeConfig.of(Architecture.TOP_K, 32, 64).withK(4), 1),
                SaeMetadata.of("test", "blocks.1.hook_resid_post", 16), null));
        hub = new LocalHub().serve("acme/tiny", "", model).serve("acme/tiny-saes", "blocks.1.hook_resid_post", sae);
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    HubSettings settings(boolean offline) {
        return new HubSettings(cache, hub.endpoint(), null, offline);
    }

    @Test
    void sampleOnAHubModelPrintsWhatItPrintsOnTheLocalDirectory() {
        String[] args = {"sample", "--model", model.toString(), "--prompt", "Tom saw a", "--max-tokens", "8",
                "--seed", "5"};
        CliRun local = CliRun.of(args);
        CliRun fromHub = CliRun.of(settings(false), CliRun.with(args, "--model", "hf:acme/tiny"));
        assertEquals(0, fromHub.code(), fromHub.err());
        assertEquals(local.out(), fromHub.out());
        assertTrue(fromHub.err().contains("--model hf:acme/tiny: " + cache), fromHub.err());
    }

    @Test
    void traceTakesTheModelAndTheSaeFromTheHub() {
        CliRun run = CliRun.of(settings(false), "trace", "--model", "hf:acme/tiny", "--sae",
                "hf:acme/tiny-saes/blocks.1.hook_resid_post", "--prompt", "Tom saw a red cat", "--top", "2");
        assertEquals(0, run.code(), run.err());
        CliRun local = CliRun.of("trace", "--model", model.toString(), "--sae", sae.toString(), "--prompt",
                "Tom saw a red cat", "--top", "2");
        assertEquals(local.out().lines().skip(1).toList(), run.out().lines().skip(1).toList());
    }

    @Test
    void secondRunUsesTheCacheOnly() {
        assertEquals(0, CliRun.of(settings(false), "sample", "--model", "hf:acme/tiny", "--max-tokens", "2").code());
        int before = hub.requests().size();
        CliRun again = CliRun.of(settings(false), "sample", "--model", "hf:acme/tiny", "--max-tokens", "2");
        assertEquals(0, again.code(), again.err());
        assertEquals(before, hub.requests().size(), "a complete cached snapshot needs no request");
        assertFalse(again.err().contains("hf:acme/tiny"), "nothing fetched, nothing said: " + again.err());
        CliRun offline = CliRun.of(settings(false), "sample", "--model", "hf:acme/tiny", "--max-tokens", "2",
                "--offline");
        assertEquals(0, offline.code(), offline.err());
    }

    @Test
    void offlineAndNotCachedIsOneLineWithExitCode2() {
        for (CliRun run : List.of(
                CliRun.of(settings(false), "sample", "--model", "hf:acme/tiny", "--offline"),
                CliRun.of(settings(true), "sample", "--model", "hf:acme/tiny"))) {
            assertUserError(run, "offline", "hf:acme/tiny", "./nanolens pull hf:acme/tiny");
        }
    }

    @Test
    void hubFailuresAreOneLineWithExitCode2() {
        assertUserError(CliRun.of(settings(false), "sample", "--model", "hf:acme/nothing-here"),
                "no repository acme/nothing-here", "HF_TOKEN");
        assertUserError(CliRun.of(settings(false), "trace", "--model", "hf:acme/tiny", "--sae", "hf:acme/tiny-saes",
                "--prompt", "x"), "SAEs are in hf:acme/tiny-saes/blocks.1.hook_resid_post");
        assertUserError(CliRun.of(settings(false), "sample", "--model", "hf:acme--x/y"), "is not a hub spec");
    }

    @Test
    void helpMentionsHubSpecsAndOfflineAndFetchesNothing() {
        int before = hub.requests().size();
        CliRun help = CliRun.of(settings(false), "eval", "--model", "hf:acme/tiny", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("hf:ORG/NAME[@REV][/PATH]") && help.out().contains("--offline"), help.out());
        assertEquals(before, hub.requests().size());
        for (String command : new String[] {"collect", "train-sae", "eval", "dashboard", "serve", "steer", "trace",
                "sample", "export"}) {
            assertTrue(CliRun.of(command, "--help").out().contains("--offline"), command);
        }
        assertFalse(CliRun.of("train-model", "--help").out().contains("--offline"), "no model is read there");
    }

    /** Exit code 2 and the error on one last line (download progress may come before it), with no stack trace. */
    private static void assertUserError(CliRun run, String... parts) {
        assertEquals(2, run.code(), run.out() + run.err());
        List<String> lines = run.err().strip().lines().toList();
        String last = lines.getLast();
        assertTrue(last.startsWith("nanolens: "), run.err());
        assertTrue(lines.stream().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")), run.err());
        for (String part : parts) {
            assertTrue(last.contains(part), "'" + part + "' in " + run.err());
        }
    }
}
