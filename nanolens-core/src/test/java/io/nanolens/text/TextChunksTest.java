package io.nanolens.text;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextChunksTest {
    private static List<String> read(byte[] bytes, int maxChars) throws IOException {
        List<String> documents = new ArrayList<>();
        try (TextChunks chunks = TextChunks.openOrNull(new ByteArrayInputStream(bytes), "test", maxChars)) {
            chunks.forEachRemaining(documents::add);
        }
        return documents;
    }

    private static List<String> read(String text, int maxChars) throws IOException {
        return read(text.getBytes(StandardCharsets.UTF_8), maxChars);
    }

    @Test
    void shortTextIsOneDocument() throws IOException {
        assertEquals(List.of("Hello\nworld\n"), read("Hello\nworld\n", 100));
    }

    @Test
    void longTextIsCutJustAfterLineBreaksAndConcatenatesBack() throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        StringBuilder text = new StringBuilder();
        while (text.length() < 20_000) {
            text.append("x".repeat(rng.nextInt(0, 60))).append('\n');
        }
        List<String> documents = read(text.toString(), 100);
        assertEquals(text.toString(), String.join("", documents));
        for (String d : documents) {
            assertTrue(d.length() <= 100, "length " + d.length());
            assertTrue(d.endsWith("\n"), "cut inside a line");
        }
        assertTrue(documents.size() >= 200, documents.size() + " documents");
    }

    @Test
    void lineLongerThanTheLimitIsCutWithoutSplittingASurrogatePair() throws IOException {
        String text = "\uD83D\uDE00".repeat(60) + "\nend";
        List<String> documents = read(text, 11);
        assertEquals(text, String.join("", documents));
        for (String d : documents) {
            assertTrue(d.length() <= 11);
            assertFalse(Character.isHighSurrogate(d.charAt(d.length() - 1)), "split pair");
            assertFalse(Character.isLowSurrogate(d.charAt(0)), "split pair");
        }
    }

    @Test
    void byteOrderMarkIsDroppedAndBlankPiecesAreSkipped() throws IOException {
        assertEquals(List.of("text"), read("\uFEFFtext", 100));
        assertEquals(List.of(), read("\n\n   \n\t\n", 100));
        assertEquals(List.of("a\n", "b\n"), read("a\n" + "   \n".repeat(10) + "b\n", 4));
    }

    @Test
    void nulOrInvalidUtf8InTheHeadMeansBinary() throws IOException {
        assertNull(TextChunks.openOrNull(new ByteArrayInputStream(new byte[]{'a', 0, 'b'}), "nul", 100));
        assertNull(TextChunks.openOrNull(new ByteArrayInputStream(new byte[]{'a', (byte) 0xC3, '('}), "bad", 100));
        assertNull(TextChunks.openOrNull(new ByteArrayInputStream(new byte[]{'a', (byte) 0xC3}), "cut at end", 100));
    }

    @Test
    void characterCutByTheSniffWindowIsStillText() throws IOException {
        byte[] bytes = new byte[TextChunks.SNIFF_BYTES + 1];
        Arrays.fill(bytes, (byte) 'a');
        bytes[TextChunks.SNIFF_BYTES - 1] = (byte) 0xC3; // 'é' = C3 A9 straddles the window
        bytes[TextChunks.SNIFF_BYTES] = (byte) 0xA9;
        List<String> documents = read(bytes, 1 << 20);
        assertEquals("a".repeat(TextChunks.SNIFF_BYTES - 1) + "\u00e9", documents.getFirst());
    }

    @Test
    void invalidBytesAfterTheHeadBecomeReplacementCharacters() throws IOException {
        byte[] bytes = new byte[TextChunks.SNIFF_BYTES + 2];
        Arrays.fill(bytes, (byte) 'a');
        bytes[TextChunks.SNIFF_BYTES + 1] = (byte) 0xFF;
        String document = read(bytes, 1 << 20).getFirst();
        assertEquals('\uFFFD', document.charAt(document.length() - 1));
    }
}
