package io.nanolens.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.NanolensException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizersTest {
    private static Bpe bpe;

    @TempDir
    Path dir;

    @BeforeAll
    static void train() {
        bpe = Bpe.train(TextSamples.documents(), 500);
    }

    @Test
    void savedBpeLoadsWithIdenticalEncodings() {
        bpe.save(dir);
        Tokenizer loaded = Tokenizers.load(dir);
        Bpe direct = Bpe.load(dir);
        assertInstanceOf(Bpe.class, loaded);
        assertArrayEquals(bpe.merges(), direct.merges());
        assertEquals(bpe.vocabSize(), loaded.vocabSize());
        assertEquals(bpe.bosId(), loaded.bosId());
        assertEquals(bpe.pattern(), direct.pattern());
        Random random = new Random(4);
        for (int i = 0; i < 100; i++) {
            String text = TextSamples.random(random, 150);
            assertArrayEquals(bpe.encode(text), loaded.encode(text));
        }
        for (String text : TextSamples.AWKWARD) {
            assertArrayEquals(bpe.encode(text), loaded.encode(text));
        }
    }

    @Test
    void savedFileHasTheDocumentedFieldsAndNoTemporaryFile() throws IOException {
        bpe.save(dir);
        bpe.save(dir);
        JsonNode root = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        assertEquals("bpe", root.get("type").asText());
        assertEquals(1, root.get("version").asInt());
        assertEquals(Bpe.PATTERN, root.get("pattern").asText());
        assertEquals(bpe.bosId(), root.get("special_tokens").get("<|bos|>").asInt());
        assertEquals(bpe.merges().length, root.get("merges").size());
        assertEquals(bpe.merges()[0][1], root.get("merges").get(0).get(1).asInt());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("tokenizer.json")), files.toList());
        }
    }

    @Test
    void savedFileHasTheUsualPermissionsOfANewFile() throws IOException {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        bpe.save(dir.resolve("tokenizer"));
        Path probe = Files.createFile(dir.resolve("probe"));
        assertEquals(Files.getPosixFilePermissions(probe),
                Files.getPosixFilePermissions(dir.resolve("tokenizer").resolve("tokenizer.json")));
    }

    @Test
    void tokenizerWithoutMergesSavesAndLoads() {
        Bpe bytesOnly = Bpe.train(List.of(), 300);
        bytesOnly.save(dir);
        Bpe loaded = Bpe.load(dir);
        assertEquals(257, loaded.vocabSize());
        assertEquals("héllo", loaded.decode(loaded.encode("héllo")));
    }

    @Test
    void savedGpt2LoadsAsGpt2() {
        new Gpt2Tokenizer().save(dir);
        Tokenizer loaded = Tokenizers.load(dir);
        assertInstanceOf(Gpt2Tokenizer.class, loaded);
        assertEquals(50257, loaded.vocabSize());
    }

    @Test
    void missingFileIsReportedWithItsPath() {
        NanolensException e = assertThrows(NanolensException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toString()), e.getMessage());
    }

    @Test
    void truncatedFileIsReportedWithItsPath() throws IOException {
        bpe.save(dir);
        Path file = dir.resolve("tokenizer.json");
        String json = Files.readString(file);
        Files.writeString(file, json.substring(0, json.length() / 2));
        assertRejected("not valid JSON");
        Files.writeString(file, "");
        assertRejected("");
    }

    @Test
    void wrongTypeOrVersionIsRejected() throws IOException {
        write("{\"type\": \"wordpiece\", \"version\": 1}");
        assertRejected("unknown tokenizer type");
        write("{\"type\": \"bpe\", \"version\": 2, \"pattern\": \"x\", \"merges\": [], \"special_tokens\": {}}");
        assertRejected("version 2");
        write("{\"type\": \"gpt2\", \"version\": 7}");
        assertRejected("version 7");
        write("[1, 2]");
        assertRejected("JSON object");
        write("{\"type\": \"gpt2\", \"version\": 1} trailing");
        assertRejected("not valid JSON");
    }

    @Test
    void mergesReferringToUnknownIdsAreRejected() throws IOException {
        writeBpe("[[97, 98], [300, 5]]", 258);
        assertRejected("merge 1");
        writeBpe("[[97, 257]]", 257);
        assertRejected("merge 0");
        writeBpe("[[97, -1]]", 257);
        assertRejected("merge 0");
        writeBpe("[[97, 98, 99]]", 257);
        assertRejected("merge 0");
        writeBpe("[[97, 98], [97, 98]]", 258);
        assertRejected("repeats");
        writeBpe("{\"a\": 1}", 256);
        assertRejected("\"merges\"");
    }

    @Test
    void specialTokensMustPlaceBosAfterTheMerges() throws IOException {
        writeBpe("[[97, 98]]", 300);
        assertRejected("special_tokens");
        write("{\"type\": \"bpe\", \"version\": 1, \"pattern\": \"x\", \"merges\": []}");
        assertRejected("special_tokens");
    }

    @Test
    void invalidPatternIsRejected() throws IOException {
        write("{\"type\": \"bpe\", \"version\": 1, \"pattern\": \"(unclosed\", \"merges\": [],"
                + " \"special_tokens\": {\"<|bos|>\": 256}}");
        assertRejected("regex");
    }

    private void writeBpe(String merges, int bos) throws IOException {
        write("{\"type\": \"bpe\", \"version\": 1, \"pattern\": \"\\\\s+|\\\\S+\", \"merges\": " + merges
                + ", \"special_tokens\": {\"<|bos|>\": " + bos + "}}");
    }

    private void write(String json) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    private void assertRejected(String expected) {
        NanolensException e = assertThrows(NanolensException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
