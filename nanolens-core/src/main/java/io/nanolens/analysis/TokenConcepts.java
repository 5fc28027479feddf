package io.nanolens.analysis;

import io.nanolens.text.LabelledText;
import io.nanolens.text.Tokenizer;

/**
 * Moves TinyWorld's per-character concept labels ({@link LabelledText}) onto tokens, so features (which fire per
 * token) can be scored against them. The rule: <b>a token belongs to a concept if any of its characters does</b>.
 * A token's characters are those whose UTF-8 bytes overlap the token's bytes (every tokenizer here is byte-level,
 * so the tokens' bytes concatenate to the text's UTF-8 bytes); a character split across two tokens belongs to both.
 * So {@code " red"} (space, r, e, d) is a colour token although its space is not, and a token {@code ."} that ends a
 * quotation is {@code inside_quote} through its full stop. Sits between tokens and the concept scores of the report.
 */
public final class TokenConcepts {
    private TokenConcepts() {
    }

    /**
     * The concept mask of every token: bit c set when token i belongs to concept c of {@code labelled}.
     *
     * @param ids the tokens of {@code labelled.text()} by {@code tokenizer}, without BOS
     * @throws IllegalStateException if the tokens' bytes do not add up to the text's UTF-8 length
     */
    public static int[] masks(LabelledText labelled, int[] ids, Tokenizer tokenizer) {
        String text = labelled.text();
        int[] charOfByte = charOfByte(text);
        int[] masks = new int[ids.length];
        int at = 0;
        for (int i = 0; i < ids.length; i++) {
            int length = tokenizer.tokenBytes(ids[i]).length;
            if (length == 0) {
                continue;
            }
            if (at + length > charOfByte.length) {
                throw new IllegalStateException("tokens hold more bytes than the text's " + charOfByte.length);
            }
            int first = charOfByte[at];
            int last = charOfByte[at + length - 1];
            masks[i] = labelled.bitsBetween(first, last + Character.charCount(text.codePointAt(last)));
            at += length;
        }
        if (at != charOfByte.length) {
            throw new IllegalStateException("tokens hold " + at + " bytes but the text has " + charOfByte.length);
        }
        return masks;
    }

    /** For every UTF-8 byte of {@code text}, the index of the char where its code point starts. */
    static int[] charOfByte(String text) {
        int[] out = new int[utf8Length(text)];
        int b = 0;
        for (int i = 0; i < text.length(); ) {
            int n = bytesAt(text, i);
            for (int k = 0; k < n; k++) {
                out[b++] = i;
            }
            i += Character.charCount(text.codePointAt(i));
        }
        return out;
    }

    private static int utf8Length(String text) {
        int total = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            total += bytesAt(text, i);
        }
        return total;
    }

    /** UTF-8 bytes of the code point at {@code i}; a lone surrogate is written as U+FFFD (3 bytes), as Utf8 does. */
    private static int bytesAt(String text, int i) {
        int cp = text.codePointAt(i);
        if (cp < 0x80) {
            return 1;
        }
        if (cp < 0x800) {
            return 2;
        }
        return cp < 0x10000 ? 3 : 4;
    }
}
