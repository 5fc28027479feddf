package io.nanolens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.analysis.ConceptProbe;
import io.nanolens.eval.DensityHistogram;
import io.nanolens.io.Json;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Corpus;
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
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import static io.nanolens.cli.CollectCommandTest.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three studies end to end on a tiny model (d = 32, 2 layers) and a random SAE, in seconds. */
class StudyCommandTest {
    private static final String CORPUS = "tinyworld:1:2000";
    private static final String SCRIPT = "<script>alert('xss')</script>";
    private static final String IMAGE = "\"><img src=x onerror=alert(1)>";

    @TempDir
    static Path dir;
    static Path model;
    static Path sae;

    /** The fixture model and a random ReLU SAE of 64 latents at its middle layer. */
    @BeforeAll
    static void modelAndSae() throws IOException {
        model = SaeCliFixtures.model(Files.createDirectories(dir.resolve("model")), 32, 3);
        SaeConfig config = SaeConfig.of(Architecture.RELU, 32, 64);
        Map<String, Tensor> p = new LinkedHashMap<>();
        long[] seed = {11};
        Sae.parameterShapes(config).forEach((name, shape) ->
                p.put(name, Tensor.randn(seed[0]++, name.startsWith("w") ? 0.3f : 0.1f, shape)));
        sae = dir.resolve("sae");
        SaeLensFormat.write(sae, new SaeDirectory(Sae.of(config, p),
                SaeMetadata.of(model.toString(), SaeCliFixtures.HOOK, 32), null));
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file);
    }

    /** The rows of the Markdown table that follows {@code heading} (or the first table), header excluded. */
    private static List<String> tableRows(Path file, String heading) throws IOException {
        List<String> all = lines(file);
        int from = heading == null ? 0 : all.indexOf(heading);
        List<String> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : all.subList(from, all.size())) {
            if (line.startsWith("|")) {
                inTable = true;
                rows.add(line);
            } else if (inTable) {
                break;
            }
        }
        return rows.subList(2, rows.size());
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    @Test
    void emergenceScoresEveryCheckpointAndSavesItAsAnSaeWhoseScoresTheResultsHold() throws IOException {
        Path out = dir.resolve("emergence");
        CliRun run = CliRun.of("study", "emergence", "--model", model.toString(), "--corpus", CORPUS,
                "--expansion", "2", "--tokens", "8192", "--batch-rows", "1024", "--checkpoints", "4",
                "--eval-tokens", "2000", "--out", out.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("checkpoint step 8 (8,192 tokens)"), run.out());
        List<String> steps = tableRows(out.resolve("table.md"), "## Checkpoints");
        assertEquals(4, steps.size(), steps.toString());
        for (int i = 0; i < 4; i++) {
            assertTrue(steps.get(i).startsWith("| " + 2 * (i + 1) + " | "), steps.get(i));
        }
        List<String> concepts = tableRows(out.resolve("table.md"), "## Concepts (best F1 ≥ 0.5)");
        assertEquals(TinyWorld.concepts().size(), concepts.size());
        for (int c = 0; c < concepts.size(); c++) {
            assertTrue(concepts.get(c).startsWith("| " + TinyWorld.concepts().get(c) + " | "), concepts.get(c));
        }

        JsonNode results = Json.readTree(out.resolve("results.json"));
        JsonNode last = results.get("checkpoints").get(3);
        assertEquals(4, results.get("checkpoints").size());
        assertEquals(64, StreamSupport.stream(last.get("density_histogram").spliterator(), false)
                .mapToLong(JsonNode::asLong).sum(), "the histogram counts every feature");
        Sae saved = SaeLensFormat.read(out.resolve("checkpoints/step-000008")).sae();
        GptFiles.Loaded loaded = GptFiles.load(model);
        ConceptProbe probe = ConceptProbe.collect(loaded.gpt(), loaded.tokenizer(),
                HookPoint.parse(SaeCliFixtures.HOOK, loaded.gpt().config()), 32, Corpus.open(CORPUS).validation(),
                2000, true);
        ConceptProbe.Score score = probe.score(saved);
        assertEquals(score.fvu(), last.get("fvu").asDouble(), 1e-12);
        for (var row : score.concepts().rows()) {
            assertEquals(row.f1(), last.get("f1").get(row.concept()).asDouble(), 1e-12, row.concept());
        }
        assertEquals(TinyWorld.concepts().size(), results.get("emergence").size());
        for (int step : new int[] {2, 4, 6}) {
            assertTrue(Files.isRegularFile(out.resolve(String.format("checkpoints/step-%06d/cfg.json", step))));
        }
        String html = Files.readString(out.resolve("report.html"));
        assertEquals(2, count(html, "<svg"), "the F1 curves and the density heat map");
        assertEquals(4 * DensityHistogram.BINS + 1, count(html, "<rect"), "a cell per bin and checkpoint, a plot frame");
        assertFalse(html.contains("<script"));
    }

    @Test
    void clustersGroupEveryFiringFeatureAndMapItColouredByConcept() throws IOException {
        Path out = dir.resolve("clusters");
        CliRun run = CliRun.of("study", "clusters", "--model", model.toString(), "--sae", sae.toString(),
                "--corpus", CORPUS, "--tokens", "1500", "--clusters", "5", "--out", out.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        JsonNode results = Json.readTree(out.resolve("results.json"));
        JsonNode clusters = results.get("clusters");
        int features = results.get("features").size();
        assertEquals(64, features + results.get("silent").asInt());
        assertEquals(5, clusters.size());
        List<String> rows = tableRows(out.resolve("table.md"), null);
        assertEquals(5, rows.size());
        int total = 0;
        for (int c = 0; c < 5; c++) {
            int size = clusters.get(c).get("size").asInt();
            assertEquals(c, clusters.get(c).get("id").asInt());
            assertEquals(size, clusters.get(c).get("members").size());
            assertTrue(c == 0 || size <= clusters.get(c - 1).get("size").asInt(), "largest first");
            assertTrue(rows.get(c).startsWith("| " + c + " | " + size + " | "), rows.get(c));
            total += size;
        }
        assertEquals(features, total, "every mapped feature is in one cluster");
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Features by best concept") && html.contains("Features by cluster"));
        assertEquals(2, count(html, "<svg"));
        assertTrue(count(html, "<title>#") == 2 * features, "every feature has a hover title on both maps");
    }

    @Test
    void clusterLabelsFromHostileTextAreEscapedInTheReportAndTheTable() throws IOException {
        Path corpus = dir.resolve("hostile.txt");
        Files.writeString(corpus, ("Tom said " + SCRIPT + " and then " + IMAGE + " and the cat sat. ").repeat(40));
        Path out = dir.resolve("clusters-hostile");
        CliRun run = CliRun.of("study", "clusters", "--model", model.toString(), "--sae", sae.toString(),
                "--corpus", corpus.toString(), "--clusters", "3", "--out", out.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        String html = Files.readString(out.resolve("report.html"));
        String md = Files.readString(out.resolve("table.md"));
        assertTrue(html.contains("Features by label"), "off tinyworld the map is coloured by label");
        assertTrue(html.matches("(?s).*<title>#[^<]*(&lt;|&gt;|&quot;|&#39;).*"), "a label holds markup, as text");
        for (String text : List.of(html, md)) {
            assertFalse(text.contains("<script") || text.contains("<img") || text.contains("onerror=alert(1)>"),
                    text);
        }
    }

    @Test
    void activationsComparesEveryArchitectureOnOneHarvest() throws IOException {
        Path out = dir.resolve("activations");
        CliRun run = CliRun.of("study", "activations", "--model", model.toString(), "--corpus", CORPUS,
                "--tokens", "4096", "--eval-tokens", "500", "--out", out.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        List<String> rows = tableRows(out.resolve("table.md"), null);
        assertEquals(StudyActivations.sweep(32).size(), rows.size());
        for (Architecture a : List.of(Architecture.RELU, Architecture.JUMP_RELU, Architecture.TOP_K,
                Architecture.BATCH_TOP_K, Architecture.GATED)) {
            assertEquals(3, rows.stream().filter(r -> r.contains(" | " + a.id() + " | ")).count(), a.id());
        }
        JsonNode saes = Json.readTree(out.resolve("results.json")).get("saes");
        assertEquals(rows.size(), saes.size());
        assertEquals(TinyWorld.concepts().size(), saes.get(0).get("best_f1").size());
        assertEquals(2, count(Files.readString(out.resolve("report.html")), "<svg"));
    }

    @Test
    void userMistakesAreOneLineErrors() {
        assertUserError(CliRun.of("study", "emergence", "--model", dir.resolve("nope").toString()), "no model in");
        assertUserError(CliRun.of("study", "emergence", "--model", model.toString(), "--tokens", "2048",
                "--batch-rows", "1024", "--checkpoints", "4"), "fewer than --checkpoints 4");
        assertUserError(CliRun.of("study", "emergence", "--model", model.toString(), "--threshold", "0"),
                "--threshold");
        assertUserError(CliRun.of("study", "clusters", "--model", model.toString(), "--sae",
                dir.resolve("nope").toString()), "no SAE in");
        assertUserError(CliRun.of("study", "clusters", "--model", model.toString(), "--sae", sae.toString(),
                "--clusters", "0"), "--clusters");
    }
}
