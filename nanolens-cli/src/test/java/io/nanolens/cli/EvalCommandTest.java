package io.nanolens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.eval.EvalConfig;
import io.nanolens.eval.SaeEvaluation;
import io.nanolens.io.Json;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.text.Bpe;
import io.nanolens.text.Corpus;
import io.nanolens.text.TinyWorld;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {
    private static final String CORPUS = "tinyworld:3:300";
    private static final String HOOK = "blocks.0.hook_resid_post";
    private static final int CONTEXT = 16;

    @TempDir
    static Path dir;
    static Path modelDir;
    static Path saeDir;

    /** A random model (d=16, 2 layers) with a BPE tokenizer, and a random TopK SAE on its first residual output. */
    @BeforeAll
    static void writeAModelAndAnSae() {
        TinyWorld world = new TinyWorld(3, 300);
        Bpe tokenizer = Bpe.train(() -> world.documents().iterator(), 300);
        modelDir = dir.resolve("model");
        tokenizer.save(modelDir);
        GptFiles.save(modelDir, new Gpt(new GptConfig(32, tokenizer.vocabSize(), 2, 2, 2, 16), 1), Map.of());
        saeDir = dir.resolve("sae");
        writeSae(saeDir, 16, HOOK);
    }

    private static void writeSae(Path to, int dIn, String hook) {
        Sae sae = Sae.create(SaeConfig.of(Architecture.TOP_K, dIn, 32).withK(4), 2);
        SaeLensFormat.write(to, new SaeDirectory(sae, SaeMetadata.of("test", hook, CONTEXT), null));
    }

    private static CliRun eval(String... extra) {
        List<String> args = new ArrayList<>(List.of("eval", "--model", modelDir.toString(), "--sae",
                saeDir.toString(), "--corpus", CORPUS));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static void assertUserError(CliRun run, String part) {
        assertEquals(2, run.code(), run.out() + run.err());
        assertFalse(run.errorLine().contains("\n"), "one line: " + run.err());
        assertTrue(run.errorLine().startsWith("nanolens: ") && run.errorLine().contains(part), run.err());
    }

    /** The keys listed in the README's table under "Evaluating an SAE". */
    private static List<String> readmeKeys() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int from = readme.indexOf("### Evaluating an SAE");
        assertTrue(from >= 0, "the README has an eval section");
        int to = readme.indexOf("\n#", from + 1);
        Matcher row = Pattern.compile("(?m)^\\| `([a-z0-9_]+)` \\|").matcher(readme.substring(from, to));
        List<String> keys = new ArrayList<>();
        while (row.find()) {
            keys.add(row.group(1));
        }
        return keys;
    }

    @Test
    void jsonIsOneObjectWithExactlyTheKeysTheReadmeDocuments() throws IOException {
        CliRun run = eval("--tokens", "200", "--json");
        assertEquals(0, run.code(), run.err());
        assertEquals(1, run.out().lines().count(), run.out());
        JsonNode json = Json.readTree(run.out(), "eval output");
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(readmeKeys(), keys);
        assertEquals(200, json.get("tokens").asLong());
    }

    @Test
    void jsonEqualsTheLibraryResultForTheSaesHookAndContext() {
        CliRun run = eval("--tokens", "150", "--json");
        assertEquals(0, run.code(), run.err());
        GptFiles.Loaded model = GptFiles.load(modelDir);
        EvalConfig config = EvalConfig.of(HookPoint.parse(HOOK, model.gpt().config()), CONTEXT, 150);
        JsonNode expected = SaeEvaluation.run(model.gpt(), model.tokenizer(), SaeLensFormat.read(saeDir).sae(),
                Corpus.open(CORPUS), config, null).toJson();
        assertEquals(expected.toString(), run.out().strip());
    }

    @Test
    void tableShowsEveryMetricAndProgressGoesToStandardError() {
        CliRun run = eval("--tokens", "300");
        assertEquals(0, run.code(), run.err());
        for (String part : List.of("at " + HOOK, "300 tokens in contexts of 16", "MSE", "FVU", "cosine similarity",
                "L0", "L1", "dead fraction", "dense fraction", "CE clean", "CE with SAE", "CE zero ablation",
                "CE loss recovered", "KL divergence", "log10 feature density")) {
            assertTrue(run.out().contains(part), part + " in:\n" + run.out());
        }
        assertTrue(run.err().contains("eval: 300 of at most 300 tokens"), run.err());
        assertFalse(run.out().contains("eval:"), run.out());
    }

    @Test
    void badInputIsAOneLineError() {
        assertUserError(CliRun.of("eval", "--model", dir.resolve("none").toString(), "--sae", saeDir.toString(),
                "--corpus", CORPUS), "model directory");
        assertUserError(CliRun.of("eval", "--model", modelDir.toString(), "--sae", dir.resolve("none").toString(),
                "--corpus", CORPUS), "SAE directory");
        assertUserError(CliRun.of("eval", "--model", modelDir.toString(), "--sae", saeDir.toString(), "--corpus",
                dir.resolve("missing.jsonl").toString()), "corpus not found");
        assertUserError(eval("--tokens", "0"), "--tokens");
        Path narrow = dir.resolve("narrow");
        writeSae(narrow, 8, HOOK);
        assertUserError(CliRun.of("eval", "--model", modelDir.toString(), "--sae", narrow.toString(), "--corpus",
                CORPUS), "d_in = 8");
        Path elsewhere = dir.resolve("elsewhere");
        writeSae(elsewhere, 16, "blocks.9.hook_resid_post");
        assertUserError(CliRun.of("eval", "--model", modelDir.toString(), "--sae", elsewhere.toString(), "--corpus",
                CORPUS), "does not have");
    }
}
