package io.nanolens.explorer;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaticExplorerTest {

    /** A feature shard as its data file holds it. */
    record Shard(List<FeatureCard> features) {
    }

    @TempDir
    Path tmp;

    @Test
    void writesThePagesAndOneShardPerOccupiedBlockOf128Features() throws IOException {
        FeatureAtlas atlas = Atlases.random(300, 2048, 2, 6, 1);
        Path out = tmp.resolve("explorer");
        StaticExplorer.write(atlas, out);

        for (String page : List.of("index.html", "feature.html", "explorer.css", "explorer.js", "index.js",
                "feature.js", "data/layout.js", "data/atlas.js")) {
            assertTrue(Files.isRegularFile(out.resolve(page)), page);
        }
        Set<String> expected = new TreeSet<>();
        for (FeatureCard card : atlas.features()) {
            expected.add(card.index() / 128 + ".js");
        }
        try (Stream<Path> files = Files.list(out.resolve("data/features"))) {
            assertEquals(expected,
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
        }
        JsonNode layout = Json.readTree(unwrap(out.resolve("data/layout.js"), "layout"), "layout.js");
        assertEquals(128, layout.get("features_per_shard").asInt());
        assertEquals(StaticExplorer.FORMAT_VERSION, layout.get("format_version").asInt());
    }

    @Test
    void shardsParseBackToTheCardsOfTheirBlock() throws IOException {
        FeatureAtlas atlas = Atlases.random(300, 1000, 3, 8, 2);
        Path out = tmp.resolve("explorer");
        StaticExplorer.write(atlas, out);

        List<FeatureCard> readBack = new ArrayList<>();
        for (int shard = 0; shard * 128 < atlas.dSae(); shard++) {
            Path file = out.resolve("data/features/" + shard + ".js");
            if (Files.exists(file)) {
                Shard data = Json.mapper().readValue(unwrap(file, "features/" + shard), Shard.class);
                for (FeatureCard card : data.features()) {
                    assertEquals(shard, card.index() / 128, "card " + card.index() + " in shard " + shard);
                }
                readBack.addAll(data.features());
            }
        }
        assertEquals(atlas.features(), readBack);
    }

    @Test
    void atlasIndexHoldsEveryCardsColumnsInOrder() throws IOException {
        FeatureAtlas atlas = Atlases.random(200, 500, 1, 4, 3);
        Path out = tmp.resolve("explorer");
        StaticExplorer.write(atlas, out);

        AtlasIndex index = Json.mapper().readValue(unwrap(out.resolve("data/atlas.js"), "atlas"), AtlasIndex.class);
        assertEquals(atlas.modelName(), index.modelName());
        assertEquals(atlas.hookName(), index.hookName());
        assertEquals(atlas.saeName(), index.saeName());
        assertEquals(atlas.architecture(), index.architecture());
        assertEquals(atlas.dSae(), index.dSae());
        assertEquals(atlas.tokensAnalysed(), index.tokensAnalysed());
        assertEquals(atlas.conceptNames(), index.conceptNames());
        AtlasIndex.Columns columns = index.columns();
        assertEquals(atlas.features().size(), columns.index().length);
        for (int r = 0; r < columns.index().length; r++) {
            FeatureCard card = atlas.features().get(r);
            assertEquals(card.index(), columns.index()[r]);
            assertEquals(card.label(), columns.label().get(r));
            assertEquals((float) card.density(), columns.density()[r]);
            assertEquals(card.maxActivation(), columns.maxActivation()[r]);
            ConceptMatch match = card.bestConcept();
            assertEquals(match == null ? -1 : Atlases.CONCEPTS.indexOf(match.concept()), columns.concept()[r]);
            assertEquals(match == null ? -1f : (float) match.f1(), columns.f1()[r]);
        }
        assertEquals(AtlasIndex.of(atlas), index);
    }

    @Test
    void dataFilesArePlainAsciiAndKeepMarkupAndUnicodeAsData() throws IOException {
        List<String> tokens = List.of("</script>", "é", "\u2028", "\"", "\\", "日本", "\n", "😀");
        float[] values = {1, 2, 3, 4, 5, 6, 7, 8};
        FeatureCard card = new FeatureCard(3, "</script><script>alert(1)</script> é", 0.5, 8, null,
                List.of(new ActivatingContext(tokens, values, 7)), List.of(), Histogram.EMPTY, List.of(),
                List.of(), List.of());
        FeatureAtlas atlas = new FeatureAtlas("m", "h", "s", "topk", 4, 10, List.of(), List.of(card));
        Path out = tmp.resolve("explorer");
        StaticExplorer.write(atlas, out);

        try (Stream<Path> files = Files.walk(out.resolve("data"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                for (byte b : Files.readAllBytes(file)) {
                    assertTrue(b >= 0x20 && b < 0x7f || b == '\n', file + " holds byte " + b);
                }
            }
        }
        Shard data = Json.mapper().readValue(unwrap(out.resolve("data/features/0.js"), "features/0"), Shard.class);
        assertEquals(List.of(card), data.features());
    }

    @Test
    void rewritingReplacesTheWholeOldExplorerAndLeavesNoSiblings() throws IOException {
        Path out = tmp.resolve("explorer");
        StaticExplorer.write(Atlases.random(100, 2048, 1, 4, 4), out);
        FeatureCard only = Atlases.random(1, 1, 1, 4, 5).features().getFirst();
        StaticExplorer.write(new FeatureAtlas("m", "h", "s", "topk", 1, 1, Atlases.CONCEPTS, List.of(only)), out);

        try (Stream<Path> files = Files.list(out.resolve("data/features"))) {
            assertEquals(List.of("0.js"), files.map(p -> p.getFileName().toString()).toList());
        }
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of(out), siblings.toList());
        }
    }

    @Test
    void refusesANonEmptyDirectoryThatHoldsNoExplorer() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(out.resolve("thesis.txt"), "precious");

        NanolensException e = assertThrows(NanolensException.class,
                () -> StaticExplorer.write(Atlases.random(10, 20, 1, 4, 6), out));
        assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
        assertEquals("precious", Files.readString(out.resolve("thesis.txt")));
        try (Stream<Path> entries = Files.list(tmp)) {
            assertEquals(1, entries.count());
        }
    }

    @Test
    void writesIntoAnExistingEmptyDirectory() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("empty"));
        StaticExplorer.write(Atlases.random(10, 20, 1, 4, 7), out);
        assertTrue(Files.isRegularFile(out.resolve("index.html")));
    }

    @Test
    void aFailureMidwayKeepsTheOldExplorerAndLeavesNoTemporaryDirectory() throws IOException {
        Path out = tmp.resolve("explorer");
        FeatureAtlas good = Atlases.random(300, 600, 1, 4, 8);
        StaticExplorer.write(good, out);
        byte[] oldIndex = Files.readAllBytes(out.resolve("data/atlas.js"));
        List<FeatureCard> failing = new AbstractList<>() {
            @Override
            public FeatureCard get(int i) {
                if (i == 200) {
                    throw new IllegalStateException("analysis failed at card 200");
                }
                return good.features().get(i);
            }

            @Override
            public int size() {
                return good.features().size();
            }
        };
        FeatureAtlas broken = new FeatureAtlas("m", "h", "s", "topk", 600, 1, Atlases.CONCEPTS, failing);

        assertThrows(IllegalStateException.class, () -> StaticExplorer.write(broken, out));
        assertArrayEquals(oldIndex, Files.readAllBytes(out.resolve("data/atlas.js")));
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of(out), siblings.toList());
        }
    }

    @Test
    void rejectsCardsOutOfOrderOutsideDSaeOrWithAnUnknownConcept() {
        List<FeatureCard> cards = Atlases.random(3, 3, 1, 4, 9).features();
        FeatureCard first = cards.get(0);
        FeatureCard second = cards.get(1);
        Path out = tmp.resolve("explorer");
        assertThrows(IllegalArgumentException.class, () -> StaticExplorer.write(
                new FeatureAtlas("m", "h", "s", "topk", 3, 1, Atlases.CONCEPTS, List.of(second, first)), out));
        assertThrows(IllegalArgumentException.class, () -> StaticExplorer.write(
                new FeatureAtlas("m", "h", "s", "topk", 1, 1, Atlases.CONCEPTS, List.of(first, second)), out));
        FeatureCard stray = new FeatureCard(0, "", 0, 0, new ConceptMatch("unicorn", 1, 1, 1), List.of(),
                List.of(), Histogram.EMPTY, List.of(), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> StaticExplorer.write(
                new FeatureAtlas("m", "h", "s", "topk", 1, 1, Atlases.CONCEPTS, List.of(stray)), out));
        assertFalse(Files.exists(out));
    }

    @Test
    void recordsRejectMismatchedShapes() {
        assertThrows(IllegalArgumentException.class,
                () -> new ActivatingContext(List.of("a", "b"), new float[] {1}, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new ActivatingContext(List.of("a"), new float[] {1}, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new Histogram(new float[] {0, 1}, new long[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> new Histogram(new float[] {1, 0}, new long[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new FeatureCard(0, "", 1.5, 0, null, List.of(),
                List.of(), Histogram.EMPTY, List.of(), List.of(), List.of()));
    }

    @Test
    void shardFileNamesTheBlockOf128() {
        assertEquals("data/features/0.js", StaticExplorer.shardFile(127));
        assertEquals("data/features/1.js", StaticExplorer.shardFile(128));
    }

    /** The JSON inside a data file, after checking the exact wrapper the pages expect. */
    static String unwrap(Path file, String key) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String head = "window.nanolensData(\"" + key + "\", ";
        String tail = ");\n";
        assertTrue(text.startsWith(head), file + " starts with " + text.substring(0, Math.min(40, text.length())));
        assertTrue(text.endsWith(tail), file + " ends with the call's close");
        return text.substring(head.length(), text.length() - tail.length());
    }
}
