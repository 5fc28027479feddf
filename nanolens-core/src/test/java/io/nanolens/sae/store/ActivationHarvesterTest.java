package io.nanolens.sae.store;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptState;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Hooks;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Corpus;
import io.nanolens.text.StreamStart;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.nanolens.sae.store.StoreFixtures.BYTES;
import static io.nanolens.sae.store.StoreFixtures.CONFIG;
import static io.nanolens.sae.store.StoreFixtures.assertOneLineError;
import static io.nanolens.sae.store.StoreFixtures.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationHarvesterTest {
    private static final int T = 16;
    private static final Gpt GPT = StoreFixtures.model(11);
    private static final Corpus CORPUS = StoreFixtures.stories(3);

    /** The rows of every complete context's positions, from a full forward with a hook cache, in stream order. */
    private static List<float[]> reference(HookPoint hook, int[] stream, boolean keepBos) {
        int contexts = stream.length / T;
        int[] tokens = Arrays.copyOf(stream, contexts * T);
        Hooks hooks = new Hooks();
        Map<HookPoint, Tensor> cache = hooks.cache(hook);
        GPT.forward(GptState.forInference(CONFIG, contexts, T), tokens, contexts, T, null, hooks);
        Tensor act = cache.get(hook);
        List<float[]> rows = new ArrayList<>();
        for (int r = 0; r < tokens.length; r++) {
            if (keepBos || tokens[r] != BYTES.bosId()) {
                rows.add(Arrays.copyOfRange(act.data(), r * act.cols(), (r + 1) * act.cols()));
            }
        }
        return rows;
    }

    private static List<float[]> harvest(HarvestConfig config) {
        try (ActivationHarvester harvester = new ActivationHarvester(GPT, BYTES, CORPUS, config)) {
            return readAll(harvester, 37);
        }
    }

    private static void assertRowsClose(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int r = 0; r < expected.size(); r++) {
            for (int j = 0; j < expected.get(r).length; j++) {
                float e = expected.get(r)[j];
                assertEquals(e, actual.get(r)[j], 1e-5f * (1 + Math.abs(e)), "row " + r + " value " + j);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocks.0.hook_resid_pre", "blocks.0.mlp.hook_post", "blocks.1.hook_attn_out",
            "blocks.1.hook_resid_post"})
    void harvestedRowsEqualTheHookCacheOfAFullForward(String name) {
        HookPoint hook = HookPoint.parse(name, CONFIG);
        List<float[]> rows = harvest(new HarvestConfig(hook, T, 4, false, HarvestConfig.ALL));
        assertEquals(hook.width(CONFIG), rows.getFirst().length);
        assertRowsClose(reference(hook, StoreFixtures.tokenStream(CORPUS), false), rows);
    }

    @Test
    void bosPositionsAreLeftOutByDefaultAndKeptOnRequest() {
        HookPoint hook = HookPoint.parse("blocks.1.hook_resid_mid", CONFIG);
        int[] stream = StoreFixtures.tokenStream(CORPUS);
        int positions = stream.length / T * T;
        long bosCount = Arrays.stream(stream, 0, positions).filter(id -> id == BYTES.bosId()).count();
        assertTrue(bosCount >= 3, "every document starts with BOS");
        List<float[]> without = harvest(new HarvestConfig(hook, T, 4, false, HarvestConfig.ALL));
        List<float[]> with = harvest(new HarvestConfig(hook, T, 4, true, HarvestConfig.ALL));
        assertEquals(positions - bosCount, without.size());
        assertEquals(positions, with.size());
        assertRowsClose(reference(hook, stream, true), with);
    }

    @Test
    void tokenBudgetStopsTheHarvestAfterExactlyThatManyRows() {
        HookPoint hook = HookPoint.parse("blocks.0.hook_resid_post", CONFIG);
        List<float[]> all = harvest(new HarvestConfig(hook, T, 2, false, HarvestConfig.ALL));
        List<float[]> some = harvest(new HarvestConfig(hook, T, 2, false, 101));
        assertEquals(101, some.size());
        for (int r = 0; r < some.size(); r++) {
            assertArrayEquals(all.get(r), some.get(r));
        }
    }

    @Test
    void countsPositionsAndRows() {
        HookPoint hook = HookPoint.parse("blocks.0.hook_resid_post", CONFIG);
        try (ActivationHarvester harvester = new ActivationHarvester(GPT, BYTES, CORPUS,
                new HarvestConfig(hook, T, 4, true, HarvestConfig.ALL))) {
            int n = readAll(harvester, 64).size();
            assertEquals(StoreFixtures.tokenStream(CORPUS).length / T * T, harvester.positions());
            assertEquals(n, harvester.rows());
            assertEquals(0, harvester.read(new float[CONFIG.nEmbd()], 0, 1), "an ended harvest stays ended");
        }
    }

    @Test
    void corpusShorterThanOneContextYieldsNothing() {
        HookPoint hook = HookPoint.parse("blocks.0.hook_resid_post", CONFIG);
        Corpus tiny = Corpus.of("tiny", List.of("short"));
        try (ActivationHarvester harvester = new ActivationHarvester(GPT, BYTES, tiny,
                new HarvestConfig(hook, T, 4, false, HarvestConfig.ALL))) {
            assertEquals(0, harvester.read(new float[CONFIG.nEmbd()], 0, 1));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aPartStartedAtAPassBoundaryYieldsTheWholeHarvestsRowsOfThatPart(boolean keepBos) {
        HookPoint hook = HookPoint.parse("blocks.1.hook_resid_post", CONFIG);
        int pass = 2 * T;
        List<float[]> whole = harvest(new HarvestConfig(hook, T, 2, keepBos, HarvestConfig.ALL));
        List<String> documents;
        try (Stream<String> all = CORPUS.documents()) {
            documents = all.toList();
        }
        long[] offset = new long[documents.size() + 1];
        for (int i = 0; i < documents.size(); i++) {
            offset[i + 1] = offset[i] + 1 + BYTES.encode(documents.get(i)).length;
        }
        long from = 5L * pass;
        long to = 9L * pass;
        int first = 0;
        while (offset[first + 1] <= from) {
            first++;
        }
        assertTrue(offset[first] < from && to < offset[documents.size()], "the part must start inside a document");
        int last = first;
        while (offset[last + 1] < to) {
            last++;
        }
        long bosBefore = first + 1;
        long bosInside = last - first;
        long rowsBefore = keepBos ? from : from - bosBefore;
        long rows = keepBos ? to - from : to - from - bosInside;
        Corpus part = Corpus.of("part", documents.subList(first, documents.size()));
        List<float[]> harvested;
        try (ActivationHarvester harvester = new ActivationHarvester(GPT, BYTES, part,
                new HarvestConfig(hook, T, 2, keepBos, rows), new StreamStart(from, (int) (from - offset[first])))) {
            harvested = readAll(harvester, 29);
        }
        assertEquals(rows, harvested.size());
        for (int r = 0; r < rows; r++) {
            assertArrayEquals(whole.get((int) (rowsBefore + r)), harvested.get(r), "row " + r);
        }
    }

    @Test
    void aStartPastItsFirstDocumentIsAOneLineError() {
        HookPoint hook = HookPoint.parse("blocks.0.hook_resid_post", CONFIG);
        Corpus part = Corpus.of("part", List.of("abc", "defgh"));
        try (ActivationHarvester harvester = new ActivationHarvester(GPT, BYTES, part,
                new HarvestConfig(hook, T, 1, false, 10), new StreamStart(40, 4))) {
            assertOneLineError("skips 4 tokens of its first document, which has only 4",
                    () -> harvester.read(new float[CONFIG.nEmbd()], 0, 1));
        }
    }

    @Test
    void mismatchedSettingsGetAClearError() {
        HookPoint late = new HookPoint(2, HookPoint.Kind.RESID_POST);
        assertOneLineError("past the model's last layer 1",
                () -> new ActivationHarvester(GPT, BYTES, CORPUS, HarvestConfig.of(late, 10).withContextSize(T)));
        HookPoint hook = new HookPoint(0, HookPoint.Kind.RESID_POST);
        assertOneLineError("context size 33 is longer than the model's 32 tokens",
                () -> new ActivationHarvester(GPT, BYTES, CORPUS, HarvestConfig.of(hook, 10).withContextSize(33)));
        Gpt small = new Gpt(new GptConfig(32, 200, 2, 4, 4, 32), 1);
        assertOneLineError("257 ids but the model's vocabulary is 200",
                () -> new ActivationHarvester(small, BYTES, CORPUS, HarvestConfig.of(hook, 10).withContextSize(T)));
        assertOneLineError("at least 1", () -> new HarvestConfig(hook, 0, 1, false, 10));
    }
}
