package io.nanolens.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PreSplitterTest {
    private static final Pattern REGEX = Pattern.compile(Bpe.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    @Test
    void everyBmpCodePointAndManyAstralOnesSplitLikeTheRegex() {
        StringBuilder text = new StringBuilder();
        // every 61st astral code point keeps the test to about a second; random tests cover the astral planes too
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp += cp < 0x10000 ? 1 : 61) {
            // each code point after an apostrophe, doubled, between spaces, next to letters, digits and newlines
            String c = new String(Character.toChars(cp));
            text.append('\'').append(c).append('e').append(c).append(c).append(' ').append(c).append('9')
                    .append("\t").append(c).append("  ").append(c).append("\r\n").append(c).append('x');
            if (text.length() > 1 << 16) {
                assertSplitsLikeRegex(text.toString());
                text.setLength(0);
            }
        }
        assertSplitsLikeRegex(text.toString());
    }

    @Test
    void randomTextSplitsLikeTheRegex() {
        // the characters each alternative of the pattern turns on, plus a few of every other kind
        String alphabet = "'sStTdDmMlLvVeErRſ \t\n\r\u000B\f\u00A0\u3000\u2028\u0085aZé日9٣½Ⅻ.,!?-_\"\u0000\uD800\uDC00";
        Random random = new Random(12);
        for (int i = 0; i < 5000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(30);
            for (int c = 0; c < length; c++) {
                if (random.nextInt(10) == 0) {
                    text.appendCodePoint(TextSamples.anyScalarValue(random));
                } else {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            assertSplitsLikeRegex(text.toString());
        }
    }

    @Test
    void samplesSplitLikeTheRegex() {
        for (String text : TextSamples.documents()) {
            assertSplitsLikeRegex(text);
        }
    }

    private static void assertSplitsLikeRegex(String text) {
        List<String> expected = new ArrayList<>();
        Matcher m = REGEX.matcher(text);
        while (m.find()) {
            expected.add(m.group());
        }
        List<String> actual = new ArrayList<>();
        for (int start = 0, end; start < text.length(); start = end) {
            end = PreSplitter.chunkEnd(text, start);
            actual.add(text.substring(start, end));
        }
        assertEquals(expected, actual);
    }
}
