package io.nanolens.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.io.Dtype;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.store.ActivationHarvester;
import io.nanolens.sae.store.ActivationManifest;
import io.nanolens.sae.store.ActivationShards;
import io.nanolens.sae.store.ActivationStream;
import io.nanolens.sae.store.HarvestConfig;
import io.nanolens.text.Corpus;
import io.nanolens.text.TinyWorld;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark harvest against a local harvest of the same corpus. "Equal" means: the manifest says the same (model,
 * hook, width, dtype, context, BOS rule, corpus, row count; the normalisation factor to 1e-12, its double sum being
 * added in another order), and the rows read back in manifest order are bit for bit the local rows in harvest order
 * (documents in corpus order, each row where a single pass over the corpus puts it), whatever the partitions.
 */
class SparkHarvestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void makeModel() throws IOException {
        model = SparkFixtures.model(Files.createDirectories(dir.resolve("model")), 32, 1);
    }

    /** What ./nanolens collect writes for the same settings. */
    static ActivationManifest collect(String corpus, HarvestConfig config, Dtype dtype, Path out) {
        GptFiles.Loaded m = GptFiles.load(model);
        try (ActivationHarvester h = new ActivationHarvester(m.gpt(), m.tokenizer(), Corpus.open(corpus), config)) {
            return ActivationShards.write(h, h.origin(model.toString()), out, dtype,
                    ActivationShards.defaultShardRows(h.width()));
        }
    }

    static void assertSameHarvest(Path local, ActivationManifest expected, Path spark, ActivationManifest actual) {
        assertEquals(List.of(expected.formatVersion(), expected.modelName(), expected.hookName(), expected.dIn(),
                expected.dtype(), expected.contextSize(), expected.excludeSpecialTokens(), expected.corpus(),
                expected.tokens()), List.of(actual.formatVersion(), actual.modelName(), actual.hookName(),
                actual.dIn(), actual.dtype(), actual.contextSize(), actual.excludeSpecialTokens(), actual.corpus(),
                actual.tokens()));
        assertEquals(expected.normScalingFactor(), actual.normScalingFactor(), 1e-12 * expected.normScalingFactor());
        assertEquals(actual, ActivationShards.verify(spark), "the manifest on disk is the one returned");
        try (ActivationStream a = ActivationShards.openInOrder(local);
             ActivationStream b = ActivationShards.openInOrder(spark)) {
            assertArrayEquals(SparkFixtures.rows(a), SparkFixtures.rows(b));
        }
    }

    @Test
    void fourPartitionsHarvestExactlyTheRowsOfALocalHarvest() {
        String corpus = new TinyWorld(5, 450).source();
        long tokens = 200_000;
        Path out = dir.resolve("spark-acts");
        SparkHarvest.Report report = SparkHarvest.run(SparkFixtures.spark(), new SparkHarvest.Settings(
                model.toString(), SparkFixtures.HOOK, corpus, null, false, tokens, Dtype.F32, out.toString(), 4));
        HookPoint hook = HookPoint.parse(SparkFixtures.HOOK, GptFiles.load(model).gpt().config());
        Path local = dir.resolve("local-acts");
        ActivationManifest expected = collect(corpus, new HarvestConfig(hook, 32, 8, false, tokens), Dtype.F32,
                local);
        assertEquals(tokens, expected.tokens(), "the corpus must hold more rows than the budget");
        assertEquals(4, report.partitions());
        assertTrue(report.manifest().shards().size() >= 4, "every partition writes its own shards");
        assertSameHarvest(local, expected, out, report.manifest());
    }

    @Test
    void aJsonlCorpusInOtherPartitionsGivesTheSameRowsAndLeavesNoStaleShards() throws IOException {
        TinyWorld world = new TinyWorld(8, 70);
        Path jsonl = dir.resolve("stories.jsonl");
        Files.write(jsonl, world.documents().map(SparkHarvestTest::jsonLine).toList());
        Path out = dir.resolve("jsonl-acts");
        SparkHarvest.Settings five = new SparkHarvest.Settings(model.toString(), SparkFixtures.HOOK,
                jsonl.toString(), 16, true, HarvestConfig.ALL, Dtype.BF16, out.toString(), 5);
        SparkHarvest.run(SparkFixtures.spark(), five);
        SparkHarvest.Settings three = new SparkHarvest.Settings(five.model(), five.hook(), five.corpus(), 16, true,
                HarvestConfig.ALL, Dtype.BF16, out.toString(), 3);
        ActivationManifest actual = SparkHarvest.run(SparkFixtures.spark(), three).manifest();
        HookPoint hook = HookPoint.parse(SparkFixtures.HOOK, GptFiles.load(model).gpt().config());
        Path local = dir.resolve("jsonl-local");
        ActivationManifest expected = collect(jsonl.toString(), new HarvestConfig(hook, 16, 8, true,
                HarvestConfig.ALL), Dtype.BF16, local);
        assertSameHarvest(local, expected, out, actual);
        Set<String> listed = actual.shards().stream().map(ActivationManifest.Shard::file).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(out)) {
            List<String> left = files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(ActivationManifest.FILE_NAME) && !listed.contains(name)).toList();
            assertEquals(List.of(), left, "files of the earlier, five-partition harvest remain");
        }
    }

    private static String jsonLine(String text) {
        try {
            return JSON.writeValueAsString(Map.of("text", text));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
