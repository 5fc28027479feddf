package io.nanolens.cli;

import io.nanolens.sae.store.ActivationManifest;
import io.nanolens.sae.store.ActivationScaler;
import io.nanolens.sae.store.ActivationShards;
import io.nanolens.sae.store.ActivationStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollectCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void makeModel() throws Exception {
        model = SaeCliFixtures.model(Files.createDirectories(dir.resolve("model")), 32, 1);
    }

    static CliRun collect(Path model, Path out, String... extra) {
        String[] base = {"collect", "--model", model.toString(), "--hook", SaeCliFixtures.HOOK, "--corpus",
                SaeCliFixtures.CORPUS, "--tokens", "3000", "--out", out.toString()};
        return CliRun.of(CliRun.with(base, extra));
    }

    static void assertUserError(CliRun run, String... parts) {
        assertEquals(2, run.code(), run.out() + run.err());
        assertFalse(run.errorLine().contains("\n"), "one line: " + run.err());
        assertTrue(run.errorLine().startsWith("nanolens: "), run.err());
        for (String part : parts) {
            assertTrue(run.errorLine().contains(part), "'" + part + "' in " + run.err());
        }
    }

    @Test
    void collectWritesTheRowsAndAManifestAndPrintsWhereAndTheFactor() {
        Path out = dir.resolve("acts");
        CliRun run = collect(model, out, "--context-size", "16");
        assertEquals(0, run.code(), run.err());
        ActivationManifest m = ActivationManifest.read(out);
        assertEquals(3000, m.tokens());
        assertEquals(32, m.dIn());
        assertEquals(16, m.contextSize());
        assertEquals(SaeCliFixtures.HOOK, m.hookName());
        assertEquals(model.toAbsolutePath().normalize().toString(), m.modelName());
        assertTrue(m.excludeSpecialTokens(), "BOS rows are left out by default");
        assertTrue(run.out().contains("3,000 rows") && run.out().contains(out.toString()), run.out());
        double factor;
        try (ActivationStream rows = ActivationShards.openInOrder(out)) {
            factor = ActivationScaler.estimate(rows, 3000);
        }
        assertEquals(factor, m.normScalingFactor(), 1e-9 * factor);
        assertTrue(run.out().contains(String.format(Locale.ROOT, "normalisation factor %.6f", factor)), run.out());
        assertTrue(run.out().contains("rows/s"), run.out());
    }

    @Test
    void bfloat16ShardsAreHalfTheSize() throws Exception {
        Path f32 = dir.resolve("f32");
        Path bf16 = dir.resolve("bf16");
        assertEquals(0, collect(model, f32).code());
        CliRun run = collect(model, bf16, "--dtype", "bf16", "--keep-bos");
        assertEquals(0, run.code(), run.err());
        ActivationManifest m = ActivationManifest.read(bf16);
        assertEquals(ActivationManifest.BFLOAT16, m.dtype());
        assertFalse(m.excludeSpecialTokens());
        long small = Files.size(bf16.resolve(m.shards().getFirst().file()));
        long large = Files.size(f32.resolve(m.shards().getFirst().file()));
        assertTrue(small < 0.55 * large, small + " vs " + large);
    }

    @Test
    void unknownHookIsAOneLineErrorListingTheValidHooks() {
        CliRun run = CliRun.of("collect", "--model", model.toString(), "--hook", "blocks.7.hook_resid_post",
                "--corpus", SaeCliFixtures.CORPUS, "--tokens", "100", "--out", dir.resolve("x").toString());
        assertUserError(run, "unknown hook point 'blocks.7.hook_resid_post'", "blocks.{L}.hook_resid_pre",
                "blocks.{L}.mlp.hook_post", "L in 0..1");
        assertFalse(Files.exists(dir.resolve("x")), "nothing written");
    }

    @Test
    void badDtypeAndMissingModelAreOneLineErrors() {
        assertUserError(collect(model, dir.resolve("y"), "--dtype", "f16"), "unknown --dtype 'f16'", "f32 or bf16");
        assertUserError(collect(dir.resolve("none"), dir.resolve("y")), "model directory", "does not exist");
    }
}
