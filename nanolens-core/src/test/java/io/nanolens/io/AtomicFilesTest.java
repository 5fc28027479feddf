package io.nanolens.io;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Atomic writes: the new content arrives whole, and a failed write leaves the old file and no temporary file. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesBytesStringsAndStreamsAndReplacesTheOldContent() throws IOException {
        Path file = dir.resolve("a.bin");
        AtomicFiles.write(file, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        AtomicFiles.writeString(file, "héllo\n");
        assertEquals("héllo\n", Files.readString(file, StandardCharsets.UTF_8));
        byte[] big = new byte[3_000_000]; // larger than the stream buffer, written in odd-sized pieces
        new SplittableRandom(3).nextBytes(big);
        AtomicFiles.write(file, out -> {
            for (int at = 0; at < big.length; at += 70_001) {
                out.write(big, at, Math.min(70_001, big.length - at));
            }
        });
        assertArrayEquals(big, Files.readAllBytes(file));
        assertEquals(List.of(file), entries(dir));
    }

    @Test
    void throwingWriterLeavesTheOldFileUnchangedAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("config.json");
        AtomicFiles.writeString(file, "old");
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[200_000]); // past the buffer, so part of it has reached the temporary file
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), entries(dir));
    }

    @Test
    void writerFailingWithIoExceptionBecomesANanolensExceptionNamingTheFile() throws IOException {
        Path file = dir.resolve("weights.safetensors");
        AtomicFiles.writeString(file, "old");
        NanolensException e = assertThrows(NanolensException.class, () -> AtomicFiles.write(file, out -> {
            out.write(1);
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("disk full"), e.getMessage());
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), entries(dir));
    }

    @Test
    void failedRenameLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("occupied");
        Files.createDirectories(target.resolve("child")); // a non-empty directory cannot be replaced by a file
        NanolensException e = assertThrows(NanolensException.class, () -> AtomicFiles.writeString(target, "x"));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertEquals(List.of(target), entries(dir));
    }

    @Test
    void closingTheStreamInsideTheWriterIsHarmless() throws IOException {
        Path file = dir.resolve("closed.txt");
        AtomicFiles.write(file, out -> {
            out.write('a');
            out.close();
        });
        assertEquals("a", Files.readString(file));
    }

    @Test
    void missingParentDirectoriesAreCreated() throws IOException {
        Path file = dir.resolve("runs/demo/sae/cfg.json");
        AtomicFiles.writeString(file, "{}");
        assertEquals("{}", Files.readString(file));
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
