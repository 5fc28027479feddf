package io.nanolens.text;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTest {
    private static Bpe bpe;

    @BeforeAll
    static void train() {
        bpe = Bpe.train(TextSamples.documents(), 700);
    }

    @Test
    void preSplitCutsLikeTiktoken() {
        assertEquals(List.of("Hello", " world", " ", "12", "34", "56"), bpe.preSplit("Hello world 123456"));
        assertEquals(List.of("don", "'t"), bpe.preSplit("don't"));
        assertEquals(List.of("WE", "'LL", " go"), bpe.preSplit("WE'LL go"));
        assertEquals(List.of("a", "  ", " b"), bpe.preSplit("a   b"));
        assertEquals(List.of("hi", "!!!\n\n", "there"), bpe.preSplit("hi!!!\n\nthere"));
        assertEquals(List.of("foo", "\n\n", " ", " bar"), bpe.preSplit("foo\n\n  bar"));
        assertEquals(List.of("x", "\r\n", "y"), bpe.preSplit("x\r\ny"));
        assertEquals(List.of("naïve", " café", ".", " ", "12", "3"), bpe.preSplit("naïve café. 123"));
    }

    @Test
    void preSplitTreatsUnicodeSpacesAsWhitespace() {
        // U+3000 is White_Space: tiktoken's Rust regex gives "a", "\u3000", "\u3000b"; ASCII-only \s would not.
        assertEquals(List.of("a", "\u3000", "\u3000b"), bpe.preSplit("a\u3000\u3000b"));
    }

    @Test
    void preSplitCoversEveryCharacter() {
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            String text = TextSamples.random(random, random.nextInt(80));
            assertEquals(text, String.join("", bpe.preSplit(text)));
        }
    }

    @Test
    void awkwardStringsRoundTrip() {
        for (String text : TextSamples.AWKWARD) {
            assertEquals(text, bpe.decode(bpe.encode(text)), () -> "round trip of " + text);
        }
    }

    @Test
    void randomValidStringsRoundTrip() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            String text = TextSamples.random(random, random.nextInt(300));
            assertEquals(text, bpe.decode(bpe.encode(text)));
        }
    }

    @Test
    void emptyTextHasNoTokens() {
        assertArrayEquals(new int[0], bpe.encode(""));
        assertEquals("", bpe.decode(new int[0]));
    }

    @Test
    void unpairedSurrogatesComeBackAsReplacementCharacters() {
        assertEquals("a\uFFFDb", bpe.decode(bpe.encode("a\uD800b")));
        assertEquals("\uFFFD\uFFFD", bpe.decode(bpe.encode("\uDC00\uD800")));
        assertEquals("x\uFFFD", bpe.decode(bpe.encode("x\uD83D")));
    }

    @Test
    void bosTextIsEncodedAsOrdinaryText() {
        int[] ids = bpe.encode("<|bos|>");
        assertTrue(ids.length > 1);
        assertTrue(Arrays.stream(ids).noneMatch(id -> id == bpe.bosId()));
        assertEquals("<|bos|>", bpe.decode(ids));
    }

    @Test
    void bosComesAfterTheMergesAndDecodesToItsName() {
        assertEquals(700, bpe.vocabSize());
        assertEquals(bpe.vocabSize() - 1, bpe.bosId());
        assertEquals(256 + bpe.merges().length, bpe.bosId());
        assertEquals("<|bos|>", bpe.decode(new int[] {bpe.bosId()}));
        assertEquals("<|bos|>", bpe.tokenString(bpe.bosId()));
        assertEquals("bpe-700", bpe.name());
    }

    @Test
    void decodeRangeDecodesOnlyThatRange() {
        int[] ids = bpe.encode("The river had been rising");
        int[] tail = Arrays.copyOfRange(ids, 2, ids.length);
        assertEquals(bpe.decode(tail), bpe.decode(ids, 2, ids.length));
    }

    @Test
    void tokenStringShowsTextOrByteEscapes() {
        assertEquals("a", bpe.tokenString('a'));
        assertEquals("\\xE2", bpe.tokenString(0xE2));
        for (int id = 0; id < bpe.bosId(); id++) {
            byte[] bytes = bpe.tokenBytes(id);
            String shown = bpe.tokenString(id);
            if (Utf8Test.isValidUtf8(bytes)) {
                assertEquals(new String(bytes, StandardCharsets.UTF_8), shown);
            } else {
                assertTrue(shown.matches("(?s).*\\\\x[89A-F][0-9A-F].*"), () -> "no byte escape in " + shown);
            }
        }
    }

    @Test
    void idsOutsideTheVocabularyAreRejected() {
        assertThrows(NanolensException.class, () -> bpe.decode(new int[] {bpe.vocabSize()}));
        assertThrows(NanolensException.class, () -> bpe.tokenBytes(-1));
    }

    @Test
    void encodingEqualsApplyingTheMergesInRankOrder() {
        Random random = new Random(3);
        List<String> words = bpe.preSplit(TextSamples.PROSE + TextSamples.CODE + TextSamples.MULTILINGUAL);
        for (int i = 0; i < 300; i++) {
            StringBuilder text = new StringBuilder();
            int pieces = random.nextInt(40);
            for (int p = 0; p < pieces; p++) {
                String word = words.get(random.nextInt(words.size()));
                text.append(random.nextInt(5) == 0 ? TextSamples.random(random, 3) : word);
            }
            assertArrayEquals(referenceEncode(bpe.merges(), text.toString()), bpe.encode(text.toString()));
        }
    }

    @Test
    void longChunksEncodeLikeTheReference() {
        Random random = new Random(11);
        String[] alphabets = {"th", "the ", "ae", " \t", "\n ", "ab"};
        for (int i = 0; i < 40; i++) {
            String alphabet = alphabets[i % alphabets.length];
            StringBuilder text = new StringBuilder();
            int length = 100 + random.nextInt(900);
            for (int c = 0; c < length; c++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertArrayEquals(referenceEncode(bpe.merges(), text.toString()), bpe.encode(text.toString()));
        }
    }

    @Test
    void concurrentEncodingAgreesWithSerialEncoding() throws Exception {
        Random random = new Random(5);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            texts.add(TextSamples.random(random, 200));
        }
        Bpe fresh = Bpe.train(TextSamples.documents(), 700);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (String text : texts) {
                futures.add(pool.submit(() -> fresh.encode(text)));
            }
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(bpe.encode(texts.get(i)), futures.get(i).get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void mergesDescribeTheTokenBytes() {
        int[][] merges = bpe.merges();
        for (int r = 0; r < merges.length; r++) {
            byte[] left = bpe.tokenBytes(merges[r][0]);
            byte[] right = bpe.tokenBytes(merges[r][1]);
            byte[] joined = Arrays.copyOf(left, left.length + right.length);
            System.arraycopy(right, 0, joined, left.length, right.length);
            assertArrayEquals(joined, bpe.tokenBytes(256 + r));
        }
        assertFalse(merges.length == 0);
    }

    /**
     * The textbook encoder, independent of MergeTable: split with the pattern, take the UTF-8 bytes of each chunk,
     * then for each merge in rank order replace its pair everywhere, left to right.
     */
    static int[] referenceEncode(int[][] merges, String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = Pattern.compile(Bpe.PATTERN, Pattern.UNICODE_CHARACTER_CLASS).matcher(text);
        while (m.find()) {
            byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
            int[] parts = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                parts[i] = bytes[i] & 0xFF;
            }
            int n = parts.length;
            for (int r = 0; r < merges.length && n > 1; r++) {
                int kept = 0;
                for (int i = 0; i < n; i++) {
                    boolean match = i + 1 < n && parts[i] == merges[r][0] && parts[i + 1] == merges[r][1];
                    parts[kept++] = match ? 256 + r : parts[i];
                    i += match ? 1 : 0;
                }
                n = kept;
            }
            for (int i = 0; i < n; i++) {
                out.add(parts[i]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
