package io.nanolens.text;

import com.sun.management.UnixOperatingSystemMXBean;
import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CorpusTest {
    @TempDir
    Path dir;

    private static List<String> all(Corpus corpus) {
        try (Stream<String> documents = corpus.documents()) {
            return documents.toList();
        }
    }

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private static void assertUserError(String expectedPart, Runnable action) {
        NanolensException e = assertThrows(NanolensException.class, action::run);
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
    }

    @Test
    void textFileIsOneDocument() throws IOException {
        Path file = write("story.txt", "Once upon a time.\n\nThe end.\n");
        Corpus corpus = Corpus.open(file.toString());
        assertEquals(List.of("Once upon a time.\n\nThe end.\n"), all(corpus));
        assertEquals(file.toAbsolutePath().toString(), corpus.source());
        assertTrue(corpus.description().contains("text file"), corpus.description());
    }

    @Test
    void largeFileStreamsInBoundedDocumentsThatConcatenateBack() throws IOException {
        Path file = dir.resolve("big.txt");
        SplittableRandom rng = new SplittableRandom(5);
        CRC32 expected = new CRC32();
        try (Writer w = Files.newBufferedWriter(file)) {
            for (long written = 0; written < 50_000_000; ) {
                String line = "line " + rng.nextLong() + " " + "abc ".repeat(rng.nextInt(30)) + "\n";
                w.write(line);
                expected.update(line.getBytes(StandardCharsets.UTF_8));
                written += line.length();
            }
        }
        CRC32 actual = new CRC32();
        int[] count = {0};
        try (Stream<String> documents = Corpus.open(file.toString()).documents()) {
            documents.forEach(d -> {
                assertTrue(d.length() <= Corpus.MAX_DOCUMENT_CHARS, "document of " + d.length() + " chars");
                assertTrue(d.endsWith("\n"), "cut inside a line");
                actual.update(d.getBytes(StandardCharsets.UTF_8));
                count[0]++;
            });
        }
        assertEquals(expected.getValue(), actual.getValue());
        assertTrue(count[0] >= 48 && count[0] <= 60, count[0] + " documents");
    }

    @Test
    void directoryReadsNestedTextFilesInSortedOrderSkippingBinaryHiddenAndEmpty() throws IOException {
        write("b.txt", "bee");
        write("a/z.md", "# zed");
        write("a/b/c.java", "class C {}");
        write("a/b/empty.txt", "");
        write("notes.png", "text in a file that claims to be an image");
        write(".git/config", "[core]");
        write("a/.hidden.txt", "secret");
        Files.write(dir.resolve("a/blob.dat"), new byte[]{'x', 0, 'y'});
        Corpus corpus = Corpus.open(dir.toString());
        assertEquals(List.of("class C {}", "# zed", "bee"), all(corpus));
        assertEquals(all(corpus), all(corpus), "re-iteration starts over");
    }

    @Test
    void jsonlReadsTheTextFieldOfEveryLine() throws IOException {
        Path file = write("data.jsonl", "{\"text\": \"first\", \"id\": 1}\n\n{\"text\": \"  \"}\n"
                + "{\"id\": 3, \"text\": \"caf\\u00e9\\nsecond line\"}\n");
        Corpus corpus = Corpus.open(file.toString());
        assertEquals(List.of("first", "caf\u00e9\nsecond line"), all(corpus));
        assertEquals(all(corpus), all(corpus));
    }

    @Test
    void malformedJsonlLineIsAnErrorNamingFileAndLine() throws IOException {
        Path file = write("bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"fine\"}\n{\"text\": oops}\n");
        Corpus corpus = Corpus.open(file.toString());
        assertUserError("bad.jsonl line 3 is not valid JSON", () -> all(corpus));
        Path noText = write("notext.jsonl", "{\"body\": \"x\"}\n");
        assertUserError("notext.jsonl line 1 has no string field \"text\"", () -> Corpus.open(noText.toString()));
        Path trailing = write("trailing.jsonl", "{\"text\": \"a\"} {\"text\": \"b\"}\n");
        assertUserError("trailing.jsonl line 1 is not valid JSON", () -> Corpus.open(trailing.toString()));
    }

    @Test
    void zipReadsTextEntriesInArchiveOrder() throws IOException {
        Path file = dir.resolve("src.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("src/"));
            entry(zip, "src/B.java", "class B {}".getBytes(StandardCharsets.UTF_8));
            entry(zip, "lib/B.class", "looks like text".getBytes(StandardCharsets.UTF_8));
            entry(zip, "__MACOSX/src/._B.java", "resource fork".getBytes(StandardCharsets.UTF_8));
            entry(zip, "data/blob", new byte[]{1, 2, 0, 3});
            entry(zip, "README", "read me\n".getBytes(StandardCharsets.UTF_8));
        }
        Corpus corpus = Corpus.open(file.toString());
        assertEquals(List.of("class B {}", "read me\n"), all(corpus));
        assertEquals(all(corpus), all(corpus));
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    @Test
    void jdkSourceZipIsACorpus() {
        Path srcZip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        assumeTrue(Files.exists(srcZip), "this JDK ships no lib/src.zip");
        List<String> documents;
        try (Stream<String> stream = Corpus.open(srcZip.toString()).documents()) {
            documents = stream.limit(200).toList();
        }
        assertEquals(200, documents.size());
        assertTrue(documents.stream().anyMatch(d -> d.contains("package java.")), "no Java source read");
    }

    @Test
    void tinyWorldSpecsOpenTheGenerator() {
        Corpus corpus = Corpus.open("tinyworld:7:50");
        try (Stream<String> expected = new TinyWorld(7, 50).documents()) {
            assertEquals(expected.toList(), all(corpus));
        }
        assertEquals("tinyworld:7:50", corpus.source());
        assertEquals("tinyworld:9:" + TinyWorld.DEFAULT_STORIES, Corpus.open("tinyworld:9").source());
        assertEquals("tinyworld:42:200000", Corpus.open("tinyworld").source());
        for (String bad : List.of("tinyworld:x", "tinyworld:1:0", "tinyworld:1:2:3", "tinyworld:", "tinyworld:1:-5")) {
            assertUserError("tinyworld:SEED:STORIES", () -> Corpus.open(bad));
        }
    }

    @Test
    void missingPathAndEmptyCorporaAreClearErrors() throws IOException {
        Path missing = dir.resolve("nope.txt");
        assertUserError("corpus not found: " + missing, () -> Corpus.open(missing.toString()));
        assertUserError("has no documents", () -> Corpus.open(dir.toString()));
        Files.write(dir.resolve("only.bin"), new byte[]{0, 0});
        write("sub/blank.txt", " \n\n");
        assertUserError("has no documents", () -> Corpus.open(dir.toString()));
        String emptyText = write("empty.txt", "").toString();
        String emptyJsonl = write("empty.jsonl", "\n\n").toString();
        String fakeZip = write("fake.zip", "not a zip").toString();
        assertUserError("has no documents", () -> Corpus.open(emptyText));
        assertUserError("has no documents", () -> Corpus.open(emptyJsonl));
        assertUserError("is not text", () -> Corpus.open(dir.resolve("only.bin").toString()));
        assertUserError("not a readable zip archive", () -> Corpus.open(fakeZip));
        assertUserError("the corpus is empty", () -> Corpus.open(" "));
        assertUserError("has no documents", () -> Corpus.of("prompts", List.of()));
    }

    @Test
    void splitPartitionsDocumentsByIndexForStreamedAndIndexedCorpora() throws IOException {
        List<String> texts = IntStream.range(0, 250).mapToObj(i -> "doc " + i).toList();
        StringBuilder jsonl = new StringBuilder();
        texts.forEach(t -> jsonl.append("{\"text\": \"").append(t).append("\"}\n"));
        Corpus streamed = Corpus.open(write("docs.jsonl", jsonl.toString()).toString());
        for (Corpus corpus : List.of(streamed, Corpus.of("memory", texts))) {
            assertEquals(List.of("doc 99", "doc 199"), all(corpus.validation()));
            List<String> training = all(corpus.training());
            assertEquals(248, training.size());
            assertTrue(!training.contains("doc 99") && training.contains("doc 98") && training.contains("doc 100"));
            List<String> everyThird = all(corpus.split(Corpus.Part.VALIDATION, 3));
            assertEquals(List.of("doc 2", "doc 5", "doc 8"), everyThird.subList(0, 3));
            assertEquals(83, everyThird.size());
            assertTrue(corpus.validation().description().contains("validation part: every 100th document"));
            assertUserError("at least 2", () -> corpus.split(Corpus.Part.TRAINING, 1));
            assertThrows(IllegalStateException.class, () -> corpus.training().validation());
        }
        Corpus small = Corpus.of("small", texts.subList(0, 99));
        assertUserError("no validation documents", small::validation);
        assertEquals(99, all(small.training()).size());
    }

    @Test
    void readersCloseTheirFilesWhenTheStreamIsClosedOrExhausted() throws IOException {
        assumeTrue(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean);
        UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < 50; i++) {
            write("tree/f" + i + ".txt", "file " + i);
        }
        Path zip = dir.resolve("tree.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            entry(z, "a.txt", "a".getBytes(StandardCharsets.UTF_8));
            entry(z, "b.txt", "b".getBytes(StandardCharsets.UTF_8));
        }
        Corpus tree = Corpus.open(dir.resolve("tree").toString());
        Corpus archive = Corpus.open(zip.toString());
        long before = os.getOpenFileDescriptorCount();
        for (int round = 0; round < 20; round++) {
            assertEquals(50, all(tree).size());
            assertEquals(2, all(archive).size());
            try (Stream<String> partial = tree.documents(); Stream<String> one = archive.documents()) {
                assertEquals(3, partial.limit(3).count());
                assertEquals(1, one.limit(1).count());
            }
            Iterator<String> unclosed = archive.documents().iterator();
            while (unclosed.hasNext()) {
                unclosed.next();
            }
        }
        long after = os.getOpenFileDescriptorCount();
        assertTrue(after <= before + 3, "open files grew from " + before + " to " + after);
    }
}
