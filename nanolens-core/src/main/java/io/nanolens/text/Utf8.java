package io.nanolens.text;

import java.nio.charset.StandardCharsets;

/**
 * The UTF-8 conversions the tokenizers share: a Java string to bytes (lone surrogates become U+FFFD, as they cannot
 * be encoded) and a token's bytes to a printable string for the explorer (valid UTF-8 decoded, every other byte
 * shown as {@code \xE2}). Follows RFC 3629.
 */
final class Utf8 {
    // The UTF-8 encoding of U+FFFD REPLACEMENT CHARACTER, written in place of an unpaired surrogate.
    private static final int[] REPLACEMENT = {0xEF, 0xBF, 0xBD};

    /** At most this many bytes come out of one UTF-16 char (an unpaired surrogate or a BMP char above U+07FF). */
    static final int MAX_BYTES_PER_CHAR = 3;

    private Utf8() {
    }

    /**
     * Writes the UTF-8 bytes of {@code text[start, end)} as ints 0..255 into {@code out} from index 0 and returns
     * how many were written; {@code out} must hold {@code MAX_BYTES_PER_CHAR * (end - start)}.
     */
    static int encode(CharSequence text, int start, int end, int[] out) {
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = c;
            } else if (c < 0x800) {
                out[n++] = 0xC0 | (c >> 6);
                out[n++] = 0x80 | (c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[n++] = 0xF0 | (cp >> 18);
                out[n++] = 0x80 | ((cp >> 12) & 0x3F);
                out[n++] = 0x80 | ((cp >> 6) & 0x3F);
                out[n++] = 0x80 | (cp & 0x3F);
            } else if (Character.isSurrogate(c)) {
                for (int b : REPLACEMENT) {
                    out[n++] = b;
                }
            } else {
                out[n++] = 0xE0 | (c >> 12);
                out[n++] = 0x80 | ((c >> 6) & 0x3F);
                out[n++] = 0x80 | (c & 0x3F);
            }
        }
        return n;
    }

    /** {@code text} with every unpaired surrogate replaced by U+FFFD; {@code text} itself if it has none. */
    static String replaceLoneSurrogates(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (sb != null) {
                    sb.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (sb == null) {
                    sb = new StringBuilder(text.length()).append(text, 0, i);
                }
                sb.append('\uFFFD');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** Shows {@code bytes} as text: each valid UTF-8 sequence decoded, each other byte as {@code \xHH}. */
    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int length = validSequenceLength(bytes, i);
            if (length > 0) {
                sb.append(new String(bytes, i, length, StandardCharsets.UTF_8));
                i += length;
            } else {
                sb.append(String.format("\\x%02X", bytes[i] & 0xFF));
                i++;
            }
        }
        return sb.toString();
    }

    /** Length of the well-formed UTF-8 sequence starting at {@code i} (RFC 3629 table 3-7), or 0 if there is none. */
    static int validSequenceLength(byte[] b, int i) {
        int lead = b[i] & 0xFF;
        if (lead < 0x80) {
            return 1;
        }
        int length;
        int lo = 0x80;
        int hi = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            lo = lead == 0xE0 ? 0xA0 : 0x80;
            hi = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            lo = lead == 0xF0 ? 0x90 : 0x80;
            hi = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (i + length > b.length) {
            return 0;
        }
        for (int k = 1; k < length; k++) {
            int c = b[i + k] & 0xFF;
            if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) {
                return 0;
            }
        }
        return length;
    }
}
