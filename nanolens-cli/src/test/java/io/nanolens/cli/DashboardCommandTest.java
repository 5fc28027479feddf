package io.nanolens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.TinyWorld;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DashboardCommandTest {
    private static final String SCRIPT = "<script>alert('xss')</script>";
    private static final String IMAGE = "\"><img src=x onerror=alert(1)>";
    private static final String PREFIX = "window.nanolensData(";

    @TempDir
    static Path dir;
    static Path model;
    static Path sae;

    /** A random model (d = 32, lm_head and c_proj random too) and a random ReLU SAE at blocks.0.hook_resid_post. */
    @BeforeAll
    static void writeModelAndSae() {
        TinyWorld world = new TinyWorld(3, 20);
        Bpe tokenizer = Bpe.train(() -> world.documents().iterator(), 300);
        GptConfig config = new GptConfig(64, tokenizer.vocabSize(), 1, 2, 2, 32);
        Gpt gpt = new Gpt(config, 5);
        Tensor lmHead = gpt.parameters().get("lm_head.weight");
        System.arraycopy(Tensor.randn(6, 0.2f, lmHead.shape()).data(), 0, lmHead.data(), 0, lmHead.size());
        model = dir.resolve("model");
        GptFiles.save(model, gpt, Map.of());
        tokenizer.save(model);
        SaeConfig saeConfig = SaeConfig.of(Architecture.RELU, 32, 40);
        Map<String, Tensor> p = new LinkedHashMap<>();
        long[] seed = {7};
        Sae.parameterShapes(saeConfig).forEach((name, shape) ->
                p.put(name, Tensor.randn(seed[0]++, name.startsWith("w") ? 0.3f : 0.1f, shape)));
        sae = dir.resolve("sae");
        SaeLensFormat.write(sae, new SaeDirectory(Sae.of(saeConfig, p),
                SaeMetadata.of(model.toString(), "blocks.0.hook_resid_post", 32), null));
    }

    @Test
    void writesTheExplorerAndPrintsTheConceptTableOnTinyWorld() {
        Path out = dir.resolve("explorer-tinyworld");
        CliRun run = CliRun.of("dashboard", "--model", model.toString(), "--sae", sae.toString(), "--corpus",
                "tinyworld:9:30", "--out", out.toString(), "--tokens", "1500");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("concept F1"), run.out());
        for (String concept : TinyWorld.concepts()) {
            assertTrue(run.out().contains("  " + concept + " "), "no row for " + concept + ":\n" + run.out());
        }
        assertTrue(run.out().contains("pass    : 1,500 tokens"), run.out());
        assertTrue(run.out().strip().endsWith(out.toAbsolutePath().normalize().resolve("index.html").toString()),
                run.out());
        assertTrue(Files.isRegularFile(out.resolve("index.html")));
        assertTrue(Files.isRegularFile(out.resolve("data/features/0.js")));
    }

    @Test
    void corpusMarkupEndsUpOnlyAsStringsInsideTheDataJson() throws IOException {
        Path corpus = dir.resolve("hostile.txt");
        Files.writeString(corpus, "Tom said " + SCRIPT + " and then " + IMAGE + " and the cat sat. " + SCRIPT
                + " Mia ran " + IMAGE + ".");
        Path out = dir.resolve("explorer-hostile");
        CliRun run = CliRun.of("dashboard", "--model", model.toString(), "--sae", sae.toString(), "--corpus",
                corpus.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        List<String> texts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = Files.readString(file);
                if (out.relativize(file).startsWith("data")) {
                    assertTrue(content.startsWith(PREFIX) && content.endsWith(");\n"), file.toString());
                    String call = content.substring(PREFIX.length(), content.length() - 3);
                    JsonNode payload = new ObjectMapper().readTree("[" + call + "]").get(1);
                    collectContexts(payload, texts);
                } else {
                    assertFalse(content.contains("onerror=alert") || content.contains("alert('xss')"),
                            file + " holds corpus text outside the data files");
                }
            }
        }
        assertTrue(texts.stream().anyMatch(t -> t.contains("<script>")), "the script tag should be shown as text");
        assertTrue(texts.stream().anyMatch(t -> t.contains("\"><img")), "the img tag should be shown as text");
        assertTrue(texts.stream().anyMatch(t -> t.contains("onerror=")), "the handler should be shown as text");
    }

    /** Every context's tokens joined, from every card of a data shard. */
    private static void collectContexts(JsonNode node, List<String> texts) {
        if (node.isObject() && node.has("tokens") && node.get("tokens").isArray()) {
            StringBuilder joined = new StringBuilder();
            node.get("tokens").forEach(t -> joined.append(t.textValue()));
            texts.add(joined.toString());
        }
        node.forEach(child -> collectContexts(child, texts));
    }

    @Test
    void contrastSetsArePrintedRankedByScore() throws IOException {
        Path a = Files.writeString(dir.resolve("happy.jsonl"),
                "{\"text\": \"Mia was happy and glad.\"}\n{\"text\": \"Tom smiled, happy.\"}\n");
        Path b = Files.writeString(dir.resolve("sad.jsonl"),
                "{\"text\": \"Mia was sad and cried.\"}\n{\"text\": \"Tom frowned, sad.\"}\n");
        CliRun run = CliRun.of("dashboard", "--model", model.toString(), "--sae", sae.toString(), "--corpus",
                "tinyworld:2:5", "--out", dir.resolve("explorer-contrast").toString(), "--tokens", "500",
                "--contrast", a.toString(), b.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("contrast: happy ("), run.out());
        assertTrue(run.out().contains("mean happy"), run.out());
    }

    @Test
    void userMistakesAreOneLineErrorsWithExitCodeTwo() throws IOException {
        String[] base = {"dashboard", "--model", model.toString(), "--sae", sae.toString(), "--corpus",
                "tinyworld:2:3", "--out", dir.resolve("explorer-errors").toString()};
        assertError(with(base, "--sae", dir.resolve("nope").toString()), "SAE directory");
        assertError(with(base, "--hook", "blocks.0.mlp.hook_post"), "reads 32 values per token");
        assertError(with(base, "--hook", "blocks.7.hook_resid_post"), "unknown hook point");
        assertError(with(base, "--contrast", dir.resolve("a.jsonl").toString(), dir.resolve("b.jsonl").toString()),
                "corpus not found");
        assertError(with(base, "--tokens", "0"), "--tokens");
        Path occupied = Files.createDirectories(dir.resolve("occupied"));
        Files.writeString(occupied.resolve("notes.txt"), "mine");
        assertError(with(base, "--out", occupied.toString()), "holds no explorer");
    }

    private static void assertError(String[] args, String expected) {
        CliRun run = CliRun.of(args);
        assertEquals(2, run.code(), run.out());
        assertEquals(1, run.errorLine().lines().count(), run.err());
        assertTrue(run.errorLine().startsWith("nanolens: ") && run.errorLine().contains(expected), run.err());
    }

    /** {@code base} with one option's value replaced or appended. */
    private static String[] with(String[] base, String option, String... values) {
        List<String> args = new ArrayList<>(List.of(base));
        int at = args.indexOf(option);
        if (at >= 0) {
            args.set(at + 1, values[0]);
        } else {
            args.add(option);
            args.addAll(List.of(values));
        }
        return args.toArray(String[]::new);
    }
}
