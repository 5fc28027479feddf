package io.nanolens.text;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Utf8Test {

    @Test
    void encodeMatchesTheJdkForValidStrings() {
        Random random = new Random(1);
        for (int i = 0; i < 300; i++) {
            String text = TextSamples.random(random, random.nextInt(100));
            int[] out = new int[Utf8.MAX_BYTES_PER_CHAR * text.length()];
            int n = Utf8.encode(text, 0, text.length(), out);
            byte[] expected = text.getBytes(StandardCharsets.UTF_8);
            int[] expectedInts = new int[expected.length];
            for (int b = 0; b < expected.length; b++) {
                expectedInts[b] = expected[b] & 0xFF;
            }
            assertArrayEquals(expectedInts, java.util.Arrays.copyOf(out, n));
        }
    }

    @Test
    void encodeWritesReplacementCharacterForUnpairedSurrogates() {
        String text = "\uD800a\uDC00";
        int[] out = new int[Utf8.MAX_BYTES_PER_CHAR * text.length()];
        int n = Utf8.encode(text, 0, text.length(), out);
        assertArrayEquals(new int[] {0xEF, 0xBF, 0xBD, 'a', 0xEF, 0xBF, 0xBD}, java.util.Arrays.copyOf(out, n));
        assertEquals("\uFFFDa\uFFFD", Utf8.replaceLoneSurrogates(text));
        assertEquals("ok \uD83D\uDE00", Utf8.replaceLoneSurrogates("ok \uD83D\uDE00"));
    }

    @Test
    void validSequenceLengthAgreesWithAStrictDecoder() {
        Random random = new Random(2);
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int first = 0; first < 256; first++) {
            for (int second = 0; second < 256; second++) {
                // every pair of leading bytes, then up to two continuation-range or random bytes
                byte[] bytes = new byte[2 + random.nextInt(3)];
                bytes[0] = (byte) first;
                bytes[1] = (byte) second;
                for (int b = 2; b < bytes.length; b++) {
                    bytes[b] = (byte) (random.nextInt(4) > 0 ? 0x80 + random.nextInt(0x40) : random.nextInt(256));
                }
                assertEquals(strictSequenceLength(strict, bytes), Utf8.validSequenceLength(bytes, 0), () -> hex(bytes));
            }
        }
    }

    @Test
    void printableDecodesWholeCharactersAndEscapesTheRest() {
        byte[] bytes = {'a', (byte) 0xC3, (byte) 0xA9, (byte) 0xE2, (byte) 0x82, ' ', (byte) 0xFF, (byte) 0xF0,
                (byte) 0x9F, (byte) 0x98, (byte) 0x80};
        assertEquals("aé\\xE2\\x82 \\xFF😀", Utf8.printable(bytes));
    }

    /** The length of the first code point of {@code bytes} if some prefix decodes strictly to exactly one. */
    private static int strictSequenceLength(CharsetDecoder strict, byte[] bytes) {
        for (int length = 1; length <= bytes.length; length++) {
            CharBuffer out = CharBuffer.allocate(8);
            strict.reset();
            boolean valid = !strict.decode(ByteBuffer.wrap(bytes, 0, length), out, true).isError()
                    && !strict.flush(out).isError();
            out.flip();
            if (valid && Character.codePointCount(out, 0, out.length()) == 1) {
                return length;
            }
        }
        return 0;
    }

    /** True if {@code bytes} is well-formed UTF-8 as the JDK's strict decoder sees it. */
    static boolean isValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02X ", b & 0xFF));
        }
        return sb.toString();
    }
}
