package io.nanolens.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Text the tokenizer tests share: a few paragraphs of ordinary prose and code to train on, the awkward strings every
 * tokenizer must round-trip, and seeded random strings of valid UTF-16.
 */
final class TextSamples {
    static final String PROSE = """
            The river had been rising for three days before anyone in the village thought to move the boats. By the \
            time the water reached the mill, the miller's daughter had already carried the flour sacks up to the \
            loft, one by one, while her father argued with the neighbours about whether the rain would stop. It did \
            not stop. On the fourth morning the bridge was gone, and the only way across the valley was the old \
            ferry that nobody had used since the war.

            She found the ferryman asleep in his chair, a newspaper over his face and a cat on his knees. "We'll \
            need the ferry," she said. He didn't move. "The bridge is gone, and they're waiting on the other side." \
            He lifted the newspaper, looked at her for a long moment, and said that the ferry hadn't been in the \
            water for twenty-two years. Then he stood up, put the cat down, and went to find his boots.

            It took them until noon to drag the ferry to the bank. It took until evening to carry the first twelve \
            people across: two families, an old teacher with a box of books, and a boy who would not let go of his \
            dog. The teacher said later that it was the slowest crossing of his life, and the best.
            """;

    static final String CODE = """
            public static int sum(int[] values) {
                int total = 0;
                for (int v : values) {
                    total += v; // 2024-06-01: 12345 + 678 = 13023
                }
                return total;
            }
            """;

    static final String MULTILINGUAL = """
            日本語のテキストは空白で区切られていません。中文也是如此。
            مرحبا بالعالم، هذه جملة عربية قصيرة.
            Ελληνικά: καλημέρα κόσμε. Русский: привет, мир! café naïve résumé Ærøskøbing
            😀 👩‍👩‍👧 🇫🇷 e\u0301 a\u0308 ñ \u00A0nbsp\u3000ideographic
            """;

    /** Strings that have broken tokenizers before: grapheme clusters, long runs, control characters. */
    static final List<String> AWKWARD = List.of(
            "",
            "👩‍👩‍👧",
            "e\u0301 and \u0065\u0301\u0301\u0301",
            "日本語のテキスト、中文文本。",
            "مرحبا بالعالم",
            "a" + " ".repeat(300) + "b",
            "\t\t\t\tx\t \t",
            "\n\n\n\n\n\n\n\n",
            "line one\r\nline two\r\n\r\n\r\n",
            " ".repeat(1000),
            "\u0000a\u0000\u0000b",
            "<|bos|><|endoftext|>",
            "1234567890 3.14159 1e-10",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 \uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08",
            "don't WE'LL they're I'd",
            "\u00A0\u2003\u3000 mixed\u2028spaces\u2029",
            "a".repeat(205),
            "!!!???...,,,;;;:::---___===+++***&&&%%%$$$###@@@",
            "\uFFFD\uFEFF\u200B zero width",
            "\uDBFF\uDFFF\uD800\uDC00 first and last astral code points");

    private TextSamples() {
    }

    /** Everything above as training documents. */
    static List<String> documents() {
        List<String> docs = new ArrayList<>(List.of(PROSE, CODE, MULTILINGUAL));
        docs.addAll(AWKWARD);
        return docs;
    }

    /** A random string of valid UTF-16: mostly ASCII and words, with Latin, CJK, emoji and any code point. */
    static String random(Random random, int codePoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int kind = random.nextInt(10);
            int cp = switch (kind) {
                case 0, 1, 2 -> 0x20 + random.nextInt(0x5F);
                case 3 -> " \t\n\r".charAt(random.nextInt(4));
                case 4 -> 0xA0 + random.nextInt(0x200);
                case 5 -> 0x4E00 + random.nextInt(0x5000);
                case 6 -> 0x1F300 + random.nextInt(0x300);
                case 7 -> random.nextInt(0x80);
                default -> anyScalarValue(random);
            };
            if (kind <= 1 && random.nextBoolean()) {
                sb.append("the ");
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** A uniformly random Unicode scalar value: any code point but a surrogate. */
    static int anyScalarValue(Random random) {
        while (true) {
            int cp = random.nextInt(Character.MAX_CODE_POINT + 1);
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                return cp;
            }
        }
    }
}
